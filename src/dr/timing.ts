// RPO and RTO as the REFERENCE defines them, plus the phase clock whose
// durations go into the report.
//   RPO observed = now − the newest restorable point
//   RTO observed = restore start → the restored app passes smoke

export function rpoMs(backupAt: Date, now: Date = new Date()): number {
  return Math.max(0, now.getTime() - backupAt.getTime());
}

/** "2d 3h", "4h 12m", "12m 5s", "850ms" — ages in reasons people read. */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${sec}s`;
  return `${(ms / 1000).toFixed(1)}s`;
}

export const PHASES = ['locate', 'archive', 'restore', 'validate', 'start', 'smoke', 'cleanup'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhaseRecord {
  name: Phase;
  startedAt: number;
  durationMs?: number;
  ok?: boolean;
}

export class PhaseClock {
  readonly phases: PhaseRecord[] = [];
  constructor(private readonly now: () => number = () => performance.now()) {}

  async time<T>(name: Phase, fn: () => Promise<T>): Promise<T> {
    const rec: PhaseRecord = { name, startedAt: this.now() };
    this.phases.push(rec);
    try {
      const out = await fn();
      rec.ok = true;
      return out;
    } catch (err) {
      rec.ok = false;
      throw err;
    } finally {
      rec.durationMs = this.now() - rec.startedAt;
    }
  }

  get(name: Phase): PhaseRecord | undefined {
    return this.phases.find((p) => p.name === name);
  }

  /** Restore start → end of a passing smoke phase; undefined unless every phase in between passed. */
  rto(): number | undefined {
    return rtoFromPhases(this.phases);
  }

  durations(): Record<string, number> {
    return Object.fromEntries(this.phases.filter((p) => p.durationMs !== undefined).map((p) => [p.name, Math.round(p.durationMs ?? 0)]));
  }
}

export function rtoFromPhases(phases: PhaseRecord[]): number | undefined {
  const restore = phases.find((p) => p.name === 'restore');
  const smoke = phases.find((p) => p.name === 'smoke');
  if (!restore || !smoke || smoke.ok !== true || smoke.durationMs === undefined) return undefined;
  const between = phases.filter((p) => p.startedAt >= restore.startedAt && p.startedAt <= smoke.startedAt);
  if (between.some((p) => p.ok !== true)) return undefined;
  return smoke.startedAt + smoke.durationMs - restore.startedAt;
}
