// A spec that cannot run for want of configuration (no credentials for a
// role, no flag mirror, a missing env var) throws this: the bridge reports
// the check `errored` (the harness lacked an input), never `failed` — only
// evidence about the target can fail a check.

export const PRECONDITION_MARK = '[pdv:precondition]';

export class PreconditionError extends Error {
  override readonly name = 'PreconditionError';
  constructor(message: string) {
    super(`${PRECONDITION_MARK} ${message}`);
  }
}
