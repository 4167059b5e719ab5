import type { ResolvedConfig } from '../config/types.ts';
import type { RunEvent } from '../core/events.ts';
import type { Redactor } from '../core/redact.ts';
import type { CheckResult, Target, VerdictReport } from '../core/types.ts';
import { reverifier } from './context.ts';
import { registryOf, sectionOf, settingsOf } from './plan.ts';

// What follows a recorded verdict (pdv verify, pdv demo, and pdv decide's
// rollback): the actions — rollback and its re-verification, notifications,
// metric publish — then each stage's own after-verdict step (e.g. load keeps
// a stood run as the next baseline).

export interface AfterVerdictInput {
  report: VerdictReport;
  config: ResolvedConfig;
  runId: string;
  runDir: string;
  redactor: Redactor;
  secrets: ReadonlyMap<string, string>;
  signal: AbortSignal;
  /** Actions are recorded, not fired (`--dry-run`, and `pdv run`, which verifies part of a deploy). */
  dryRun: boolean;
  /** Each stage's after-verdict step (a verify of the whole deploy; not `pdv run`). */
  stageSteps: boolean;
  record(e: RunEvent): void;
}

export async function afterVerdict(input: AfterVerdictInput): Promise<void> {
  const { config, report } = input;
  const registry = registryOf(config);
  // The rolled-back release gets the deploy's first checks again (ids `<stage>.post-rollback.*`);
  // without a stage that offers re-verification, the rollback action falls back to a health probe.
  const reverify = reverifier({ runId: input.runId, runDir: input.runDir, config, target: report.target, secrets: input.secrets, redactor: input.redactor }, input.signal);
  const verifierName = registry.find((s) => s.reverify)?.name;
  const smoke = reverify && verifierName ? (target: Target): Promise<CheckResult[]> => reverify(target, `${verifierName}.post-rollback`) : undefined;
  const { runActions } = await import('../actions/index.ts');
  const records = await runActions({
    report,
    config,
    runDir: input.runDir,
    reportsDir: config.reportsDir,
    redactor: input.redactor,
    dryRun: input.dryRun,
    signal: input.signal,
    ...(smoke ? { smoke } : {}),
  });
  for (const action of records) input.record({ type: 'action', at: new Date().toISOString(), action });
  if (!input.stageSteps) return;
  // What each stage that ran keeps from a verified run (a stood, complete load run becomes the next baseline).
  const ran = new Set(report.stages.filter((s) => s.status !== 'skipped').map((s) => s.name));
  for (const stage of registry) {
    if (stage.afterVerdict && ran.has(stage.name)) await stage.afterVerdict({ config: sectionOf(config, stage), settings: settingsOf(config), report });
  }
}
