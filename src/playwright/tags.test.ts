import { describe, expect, it } from 'vitest';
import { checkId, onFailFromTags, severityFromTags, slug } from './tags.ts';
import { computeOutcome } from './outcome.ts';

describe('tags', () => {
  it.each([
    [['@smoke', '@critical'], 'critical'],
    [['@uat', '@minor'], 'minor'],
    [['@uat'], 'major'],
    [['@major'], 'major'],
  ] as const)('%j → severity %s', (tags, sev) => expect(severityFromTags(tags)).toBe(sev));

  it.each([
    [['@hold'], 'hold'],
    [['@warn'], 'warn'],
    [['@critical'], undefined],
  ] as const)('%j → onFail %s', (tags, onFail) => expect(onFailFromTags(tags)).toBe(onFail));

  it('builds stable ids from describe blocks and title, without tags', () => {
    expect(checkId('uat', ['Editor', 'renders a storyboard @render'])).toBe('uat.editor.renders-a-storyboard');
    expect(checkId('dr.smoke', ['deep health'])).toBe('dr.smoke.deep-health');
    expect(slug('Viewer: no edit controls (403)')).toBe('viewer-no-edit-controls-403');
  });
});

describe('computeOutcome', () => {
  it.each([
    [[{ status: 'passed' }], 'passed', 1],
    [[{ status: 'failed', error: 'x' }, { status: 'passed' }], 'flaky', 2],
    [[{ status: 'failed', error: 'x' }, { status: 'timedOut', error: 'Test timeout of 30000ms exceeded.' }], 'failed', 2],
    [[{ status: 'skipped' }], 'skipped', 1],
    [[{ status: 'interrupted' }], 'errored', 1],
    [[{ status: 'failed', error: 'browserType.launch: Executable doesn\'t exist at /nope' }], 'errored', 1],
    [[{ status: 'timedOut', error: 'Test timeout of 30000ms exceeded while setting up "page".' }], 'errored', 1],
    [[], 'errored', 0],
  ] as const)('%j → %s', (attempts, status, n) => {
    const o = computeOutcome(attempts);
    expect(o.status).toBe(status);
    expect(o.attempts).toBe(n);
  });
});
