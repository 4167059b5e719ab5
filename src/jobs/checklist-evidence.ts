import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.ts';
import { CHANGE_TICKET_KEY, fileKey } from '../core/checklist.ts';
import type { ObservationEvent } from '../core/events.ts';

/**
 * The checklist's facts that are not checks: whether each named file exists
 * (relative to the config) and the change ticket. Recorded as observations so
 * the checklist is computed from the log like everything else.
 */
export function checklistObservations(config: Pick<ResolvedConfig, 'checklist' | 'rootDir'>, changeTicket: string | undefined): Array<Omit<ObservationEvent, 'at'>> {
  const out: Array<Omit<ObservationEvent, 'at'>> = [];
  for (const item of config.checklist) {
    if (item.file !== undefined) out.push({ type: 'observation', key: fileKey(item.file), value: existsSync(resolve(config.rootDir, item.file)) });
  }
  if (changeTicket?.trim() && config.checklist.some((i) => i.changeTicket !== undefined)) {
    out.push({ type: 'observation', key: CHANGE_TICKET_KEY, value: changeTicket.trim() });
  }
  return out;
}
