import { defineStage } from '../stage.ts';
import { securityConfigSchema } from './config.ts';

export const securityStage = defineStage({
  name: 'security',
  description: 'Headers graded like the MDN HTTP Observatory, TLS, CORS, exposed files, directory listings, source maps and page copies, debug pages, access control per role (and OPTIONS against it), open redirect, rate limiting, posture regressions, scanner imports → security.sarif',
  docs: 'docs/security.md',
  configSchema: securityConfigSchema,
  // Needs nothing but the target's URLs.
  isConfigured: () => true,
  order: 30,
  imports: true,
  plan: async (ctx) => (await import('./plan.ts')).planSecurity(ctx),
  run: async (ctx) => (await import('./run.ts')).runSecurity(ctx),
  afterVerdict: async (ctx) => (await import('./posture.ts')).recordPosture(ctx.report, ctx.settings),
  report: async () => ({
    section: (await import('./report.ts')).securitySection,
    files: [{ name: 'security.sarif', render: (await import('./sarif.ts')).renderSecuritySarif }],
  }),
});
