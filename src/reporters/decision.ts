import type { VerdictReport } from '../core/types.ts';
import { VERDICT_LABEL } from './format.ts';

// The human side of a report: a person's decision beside the machine verdict,
// and the pre-production checklist. Plain data here; each format renders it.

export interface DecisionView {
  headline: string;
  facts: Array<[string, string]>;
}

export function decisionView(report: VerdictReport): DecisionView | undefined {
  const d = report.decision;
  if (!d) return undefined;
  const override = d.override ? ' (OVERRIDE)' : '';
  const facts: Array<[string, string]> = [
    ['Decision', `${VERDICT_LABEL[d.verdict]}${override}`],
    ["pdv's verdict", `${VERDICT_LABEL[d.machineVerdict]}${d.machineVerdictAtDecision !== d.machineVerdict ? ` (was ${VERDICT_LABEL[d.machineVerdictAtDecision]} when decided)` : ''}`],
    ['By', d.by],
    ['At', d.at],
    ['Reason', d.reason],
    ['From', d.source.ci?.url ?? (d.source.ci?.runId ? `GitHub run ${d.source.ci.runId} on ${d.source.host}` : d.source.host)],
  ];
  if (d.previous > 0) facts.push(['Earlier decisions', `${d.previous} (see events.jsonl)`]);
  return { headline: `Decided by a person: ${VERDICT_LABEL[d.verdict]}${override} — pdv said ${VERDICT_LABEL[d.machineVerdict]}`, facts };
}
