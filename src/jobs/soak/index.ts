// Long soak: persistent state, one sample per tick, resumable, a verdict at any time.
export { judgeSoak, type JudgeResult, type JudgeOptions } from './judge.ts';
export { lockSoak, newSoakId, runSoak, soakStatus, startSoak, tickSoak, type RunOptions, type SoakStatus, type StartOptions, type TickOutcome } from './lifecycle.ts';
export { readTicks } from './store.ts';
export type { SoakPlan, SoakState, TickRecord } from './types.ts';
