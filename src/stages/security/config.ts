import type { z } from 'zod';
import { stageBase } from '../../config/common.ts';

// The security stage's section of the config (`stages.security`). Extend as the stage grows.
export const securityConfigSchema = stageBase.extend({}).strict();

export type SecurityConfig = z.infer<typeof securityConfigSchema>;
