import type { z } from 'zod';
import { stageBase } from '../../config/common.ts';

// The uat stage's section of the config (`stages.uat`). Extend as the stage grows.
export const uatConfigSchema = stageBase.extend({}).strict();

export type UatConfig = z.infer<typeof uatConfigSchema>;
