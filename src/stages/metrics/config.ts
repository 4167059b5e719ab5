import type { z } from 'zod';
import { stageBase } from '../../config/common.ts';

// The metrics stage's section of the config (`stages.metrics`). Extend as the stage grows.
export const metricsConfigSchema = stageBase.extend({}).strict();

export type MetricsConfig = z.infer<typeof metricsConfigSchema>;
