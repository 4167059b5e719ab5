import type { Stage } from '../../core/stage.ts';
import { planDr } from './plan.ts';
import { runDr } from './run.ts';

export { runDr } from './run.ts';
export { DR_CHECKS } from './checks.ts';

export const drStage: Stage = {
  name: 'dr',
  description: 'restore the newest backup into a scratch copy, validate data and app on it, measure RPO and RTO',
  plan: (ctx) => planDr(ctx),
  run: (ctx) => runDr(ctx),
};
