import type { z } from 'zod';
import { stageBase } from '../../config/common.ts';

// The load stage's section of the config (`stages.load`). Extend as the stage grows.
export const loadConfigSchema = stageBase.extend({}).strict();

export type LoadConfig = z.infer<typeof loadConfigSchema>;
