import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../platform/fs.ts';
import type { Redactor } from '../core/redact.ts';
import type { Artifact } from '../core/types.ts';
import { decodeText, redactJson, redactTextBody } from './redact-json.ts';
import { redactTraceZip } from './trace-redact.ts';

// allure-playwright writes into a scratch folder; this copies its results
// into `<runDir>/allure-results/` with secrets redacted (step titles carry
// typed values, attachments carry traces) and marks pass-on-retry as flaky,
// which allure-js does not do itself (allure-js #1462).

interface AllureResult {
  historyId?: string;
  status?: string;
  start?: number;
  statusDetails?: { flaky?: boolean; [k: string]: unknown };
}

export const ALLURE_CATEGORIES = [
  {
    name: 'Environment problems',
    description: 'The harness or the environment, not the product: browser, network, setup, sandbox.',
    messageRegex: '[\\s\\S]*(ECONNREFUSED|ENOTFOUND|ECONNRESET|net::ERR_|browserType\\.launch|Executable doesn.t exist|setup failed|while setting up|Worker process exited)[\\s\\S]*',
    matchedStatuses: ['failed', 'broken'],
  },
  { name: 'Product failures', description: 'An assertion about the deployed product failed.', matchedStatuses: ['failed'] },
  { name: 'Harness errors', description: 'A test broke outside its assertions.', matchedStatuses: ['broken'] },
  { name: 'Flaky', description: 'Passed only on retry.', matchedStatuses: ['passed'], flaky: true },
];

/** Sets statusDetails.flaky on the final passed attempt of every test that failed first. Pure. */
export function markFlaky(results: AllureResult[]): number {
  const byHistory = new Map<string, AllureResult[]>();
  for (const r of results) {
    if (!r.historyId) continue;
    byHistory.set(r.historyId, [...(byHistory.get(r.historyId) ?? []), r]);
  }
  let marked = 0;
  for (const group of byHistory.values()) {
    if (group.length < 2) continue;
    group.sort((a, b) => (a.start ?? 0) - (b.start ?? 0));
    const last = group[group.length - 1];
    if (last?.status === 'passed' && group.some((r) => r.status === 'failed' || r.status === 'broken')) {
      last.statusDetails = { ...(last.statusDetails ?? {}), flaky: true };
      marked++;
    }
  }
  return marked;
}

export async function publishAllureResults(o: { from: string; runDir: string; redactor: Redactor; stage: string }): Promise<Artifact | undefined> {
  let names: string[];
  try {
    names = await readdir(o.from);
  } catch {
    return undefined; // allure off or nothing ran
  }
  const dest = join(o.runDir, 'allure-results');
  // Traces first: the session tokens they reveal are redacted from everything after.
  names.sort((a, b) => Number(!a.endsWith('.zip')) - Number(!b.endsWith('.zip')));
  const results: Array<{ name: string; value: AllureResult }> = [];
  for (const name of names) {
    const bytes = await readFile(join(o.from, name));
    if (name.endsWith('-result.json')) {
      results.push({ name, value: JSON.parse(bytes.toString('utf8')) as AllureResult });
      continue;
    }
    let out: Uint8Array;
    if (name.endsWith('.zip')) out = redactTraceZip(bytes, o.redactor);
    else if (name.endsWith('.json')) out = Buffer.from(JSON.stringify(redactJson(JSON.parse(bytes.toString('utf8')), o.redactor), null, 2));
    else {
      const text = decodeText(bytes);
      out = text === undefined ? bytes : Buffer.from(redactTextBody(text, o.redactor), 'utf8');
    }
    await writeFileAtomic(join(dest, name), out);
  }
  markFlaky(results.map((r) => r.value));
  for (const r of results) await writeFileAtomic(join(dest, r.name), JSON.stringify(redactJson(r.value, o.redactor)));
  return { stage: o.stage, name: 'Allure results', path: 'allure-results', kind: 'allure', description: 'allure generate allure-results -o allure-report' };
}
