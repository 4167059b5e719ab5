import type { z } from 'zod';
import { stageBase } from '../../config/common.ts';

// The dr stage's section of the config (`stages.dr`). Extend as the stage grows.
export const drConfigSchema = stageBase.extend({}).strict();

export type DrConfig = z.infer<typeof drConfigSchema>;
