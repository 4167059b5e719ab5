import { describe, expect, it } from 'vitest';
import { runTasks, type Task } from './tasks.ts';

// Issue 26 item 2: a run is a list of named tasks, each a setup and its teardown.

function list(failAt?: string, teardownFails?: string): Array<Task<string[]>> {
  return ['lock', 'open', 'stages', 'record'].map((title) => ({
    title,
    setup: async (run) => {
      run.push(`setup:${title}`);
      if (title === failAt) throw new Error(`${title} failed`);
    },
    ...(title === 'stages'
      ? {}
      : {
          teardown: async (run: string[]) => {
            run.push(`teardown:${title}`);
            if (title === teardownFails) throw new Error(`teardown ${title} failed`);
          },
        }),
  }));
}

describe('runTasks', () => {
  it('runs the setups in order, then the teardowns in reverse', async () => {
    const log: string[] = [];
    await runTasks(list(), log);
    expect(log).toEqual(['setup:lock', 'setup:open', 'setup:stages', 'setup:record', 'teardown:record', 'teardown:open', 'teardown:lock']);
  });

  it('a failed setup stops the list; what was set up, the failed task included, is torn down; its error stands', async () => {
    const log: string[] = [];
    await expect(runTasks(list('open'), log)).rejects.toThrow('open failed');
    expect(log).toEqual(['setup:lock', 'setup:open', 'teardown:open', 'teardown:lock']);
  });

  it('a failed teardown does not stop the others, nor hide the setup’s error', async () => {
    const log: string[] = [];
    await expect(runTasks(list('record', 'open'), log)).rejects.toThrow('record failed');
    expect(log).toEqual(['setup:lock', 'setup:open', 'setup:stages', 'setup:record', 'teardown:record', 'teardown:open', 'teardown:lock']);
    const clean: string[] = [];
    await expect(runTasks(list(undefined, 'open'), clean)).rejects.toThrow('teardown open failed');
    expect(clean.at(-1)).toBe('teardown:lock');
  });
});
