import { appendFileSync } from 'node:fs';
import type { FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { computeOutcome, type Attempt } from './outcome.ts';
import { checkId, onFailFromTags, severityFromTags } from './tags.ts';
import { BRIDGE_ENV, OBSERVATION_ANNOTATION, type BridgeAttachment, type BridgeRecord } from './protocol.ts';
import type { CheckOutcome, CheckResult } from '../core/types.ts';

// Runs inside the Playwright runner process. Each test's final attempt
// becomes one CheckResult, appended as a JSON line to PDV_BRIDGE_OUT so the
// stage can emit it live. Projects listed in `setupProjects` give no checks:
// when one fails, the tests depending on it are reported `errored`.

interface Options {
  setupProjects?: string[];
}

function firstError(errors: readonly TestError[]): string | undefined {
  const e = errors[0];
  if (!e) return undefined;
  // Strip ANSI colours; keep the first lines, which say what was expected.
  // eslint-disable-next-line no-control-regex -- ANSI colour codes start with ESC
  const text = (e.message ?? e.value ?? 'error').replace(/\u001b\[[0-9;]*m/g, '');
  return text.split('\n').slice(0, 6).join('\n').trim();
}

function projectOf(test: TestCase): string {
  return test.parent.project()?.name ?? '';
}

/** Titles below the file: describe blocks and the test title. */
function titlesOf(test: TestCase): string[] {
  const path = test.titlePath(); // ['', project, file, ...describes, title]
  return path.slice(3);
}

export default class BridgeReporter implements Reporter {
  private readonly out = process.env[BRIDGE_ENV.out];
  private readonly stage = process.env[BRIDGE_ENV.stage] ?? 'uat';
  private readonly prefix = process.env[BRIDGE_ENV.idPrefix] ?? this.stage;
  private readonly setupProjects: Set<string>;
  private readonly done = new Set<TestCase>();
  private readonly setupErrors: string[] = [];
  private readonly errors: string[] = [];
  private root: Suite | undefined;

  constructor(options: Options = {}) {
    this.setupProjects = new Set(options.setupProjects ?? ['setup']);
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(_config: unknown, suite: Suite): void {
    this.root = suite;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const isSetup = this.setupProjects.has(projectOf(test));
    const final = result.status === 'passed' || result.status === 'skipped' || result.status === 'interrupted' || result.retry >= test.retries;
    if (!final) return;
    if (isSetup) {
      if (result.status !== 'passed' && result.status !== 'skipped') {
        this.setupErrors.push(`${test.title}: ${firstError(result.errors) ?? result.status}`);
      }
      this.done.add(test);
      return;
    }
    this.emitTest(test);
  }

  onError(error: TestError): void {
    this.errors.push(firstError([error]) ?? 'error outside tests');
  }

  onEnd(result: FullResult): void {
    // Tests that never reached a final attempt: skipped because their setup
    // failed, or cut off by an interrupt. Neither is evidence of a pass.
    let selected = 0;
    for (const test of this.root?.allTests() ?? []) {
      if (this.setupProjects.has(projectOf(test))) continue;
      selected++;
      if (!this.done.has(test)) this.emitTest(test, this.notRunReason());
    }
    this.write({ kind: 'end', status: result.status, errors: this.errors, setupErrors: this.setupErrors, selected });
  }

  private notRunReason(): string | undefined {
    if (this.setupErrors.length) return `setup failed: ${this.setupErrors[0]}`;
    if (this.errors.length) return `not run: ${this.errors[0]}`;
    return undefined;
  }

  private emitTest(test: TestCase, notRunReason?: string): void {
    this.done.add(test);
    const attempts: Attempt[] = test.results.map((r) => ({ status: r.status, error: firstError(r.errors) }));
    const outcome = computeOutcome(attempts);
    // A test Playwright skipped because a dependency (setup) failed has no attempts, or one skipped.
    if (notRunReason && (outcome.attempts === 0 || outcome.status === 'skipped')) {
      outcome.status = 'errored';
      outcome.error = notRunReason;
    }
    const tags = [...new Set(test.tags)];
    const onFail = onFailFromTags(tags);
    const titles = titlesOf(test);
    const duration = test.results.reduce((sum, r) => sum + r.duration, 0);
    const check: CheckResult = {
      id: checkId(this.prefix, titles),
      stage: this.stage,
      title: titles.join(' › '),
      severity: severityFromTags(tags),
      ...(onFail ? { onFail } : {}),
      ...outcomeOf(outcome.status, outcome.error),
      durationMs: Math.round(duration),
      attempts: outcome.attempts,
      evidence: [],
      tags,
    };
    if (outcome.status === 'flaky' && outcome.error) check.message = `passed on attempt ${outcome.attempts}; first failure: ${outcome.error}`;
    const attachments: BridgeAttachment[] = [];
    for (const r of test.results) {
      for (const a of r.attachments) if (a.path) attachments.push({ name: a.name, path: a.path, contentType: a.contentType, retry: r.retry });
    }
    const observations: Record<string, string> = {};
    for (const r of test.results) {
      for (const a of r.annotations) {
        if (a.type.startsWith(OBSERVATION_ANNOTATION) && a.description !== undefined) observations[a.type.slice(OBSERVATION_ANNOTATION.length)] = a.description;
      }
    }
    this.write({ kind: 'check', check, project: projectOf(test), attachments, observations });
  }

  private write(record: BridgeRecord): void {
    if (!this.out) return;
    // Synchronous append: each line lands whole before the next test ends.
    appendFileSync(this.out, JSON.stringify(record) + '\n');
  }
}

/** A failed or errored test always says why: Playwright's first error, else that it gave none. */
function outcomeOf(status: CheckResult['status'], error: string | undefined): CheckOutcome {
  if (status === 'failed' || status === 'errored') return { status, message: error ?? `the test ${status === 'failed' ? 'failed' : 'did not run'} without an error message` };
  return { status, ...(error ? { message: error } : {}) };
}
