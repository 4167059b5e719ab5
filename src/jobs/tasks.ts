// A command as a list of named tasks, each a setup and its teardown, as
// Playwright's task runner has them: the setups run in order; whatever set
// up is torn down in reverse order, on every path (docs/architecture.md).

export interface Task<C> {
  title: string;
  setup?(run: C): Promise<void>;
  /** Runs when its setup ran (even if a later task failed). */
  teardown?(run: C): Promise<void>;
}

/** Runs the setups in order, then the teardowns of those that ran in reverse; the first error stands. */
export async function runTasks<C>(tasks: ReadonlyArray<Task<C>>, run: C): Promise<void> {
  const started: Array<Task<C>> = [];
  let failure: { err: unknown } | undefined;
  try {
    for (const task of tasks) {
      started.push(task);
      await task.setup?.(run);
    }
  } catch (err) {
    failure = { err };
  }
  for (const task of started.reverse()) {
    try {
      await task.teardown?.(run);
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
