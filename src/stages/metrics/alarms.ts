import { errorMessage } from '../../core/errors.ts';
import type { CheckOutcome, CheckResult, Evidence } from '../../core/types.ts';
import type { Alarm, MetricSource } from '../../sources/types.ts';
import type { AlarmConfig } from './config.ts';

// Alarms as checks: ALARM / firing fails, OK passes, INSUFFICIENT_DATA,
// a pending alert, an alarm that was asked for by name but does not exist,
// or a source that cannot be read is errored (→ hold, never stand).

export function alarmCheckId(stage: string, name: string): string {
  return `${stage}.alarm.${name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

export function alarmStatus(a: Alarm): CheckOutcome {
  switch (a.state) {
    case 'alarm':
      return { status: 'failed', message: `alarm ${a.name} is ${a.rawState}${a.reason ? `: ${a.reason}` : ''}` };
    case 'ok':
      return { status: 'passed', message: `alarm ${a.name} is ${a.rawState}` };
    case 'pending':
      return { status: 'errored', message: `alert ${a.name} is pending (its condition holds, not yet for long enough)${a.reason ? `: ${a.reason}` : ''}` };
    default:
      return { status: 'errored', message: `alarm ${a.name} is ${a.rawState}${a.reason ? `: ${a.reason}` : ''}` };
  }
}

export async function checkAlarms(stage: string, cfg: AlarmConfig, source: MetricSource, signal?: AbortSignal): Promise<{ checks: CheckResult[]; alarms: Alarm[] }> {
  const started = Date.now();
  const base = { stage, severity: cfg.severity, ...(cfg.onFail ? { onFail: cfg.onFail } : {}), attempts: 1 } as const;
  let alarms: Alarm[];
  try {
    alarms = await source.alarms({ names: cfg.names, prefixes: cfg.prefixes }, signal ? { signal } : {});
  } catch (err) {
    const what = [...cfg.names, ...cfg.prefixes.map((p) => `${p}*`)].join(', ');
    return {
      alarms: [],
      checks: [{ ...base, id: `${stage}.alarms.${source.name}`, title: `Alarms ${what} (${source.name})`, status: 'errored', message: `cannot read alarms: ${errorMessage(err)}`, durationMs: Date.now() - started, evidence: [] }],
    };
  }
  const durationMs = Date.now() - started;
  const checks: CheckResult[] = alarms.map((a) => ({
    ...base,
    id: alarmCheckId(stage, a.name),
    title: `Alarm ${a.name} (${source.name})`,
    ...alarmStatus(a),
    durationMs,
    evidence: [{ kind: 'json', label: 'alarm', data: a } satisfies Evidence],
    observed: a.rawState,
    limit: 'OK',
  }));
  for (const name of cfg.names) {
    if (alarms.some((a) => a.name === name)) continue;
    checks.push({ ...base, id: alarmCheckId(stage, name), title: `Alarm ${name} (${source.name})`, status: 'errored', message: `alarm ${name} not found in ${source.name}`, durationMs, evidence: [] });
  }
  for (const prefix of cfg.prefixes) {
    if (alarms.some((a) => a.name.startsWith(prefix))) continue;
    checks.push({ ...base, id: alarmCheckId(stage, `${prefix}-prefix`), title: `Alarms ${prefix}* (${source.name})`, status: 'errored', message: `no alarm in ${source.name} starts with "${prefix}"`, durationMs, evidence: [] });
  }
  return { checks, alarms };
}
