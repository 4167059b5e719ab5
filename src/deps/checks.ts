import { errorMessage } from '../core/errors.ts';
import type { RunScope } from '../target/scope.ts';
import type { CheckResult, Environ } from '../core/types.ts';
import type { DependencyConfig } from './config.ts';
import { dependencyUrl, expectedMigrationOf } from './resolve.ts';
import { harnessFault, type ProbeOutcome } from './types.ts';

// One check per configured dependency, `<idPrefix>.dependency.<name>`.

async function probe(ctx: Pick<RunScope, 'settings' | 'signal'>, dep: DependencyConfig, url: string): Promise<ProbeOutcome> {
  if (dep.type === 'postgres') {
    let expected: string | undefined;
    try {
      expected = await expectedMigrationOf(dep, ctx.settings.rootDir);
    } catch (err) {
      return harnessFault(`could not read the release's migrations: ${errorMessage(err)}`);
    }
    // Each client loads only when a dependency of its kind is configured.
    const { probePostgres } = await import('./postgres.ts');
    return probePostgres(dep, { url, ...(expected !== undefined ? { expectedMigration: expected } : {}), signal: ctx.signal });
  }
  const { probeRedis } = await import('./redis.ts');
  return probeRedis(dep, { url, signal: ctx.signal });
}

/** Scheme, host, port and path: never the userinfo. */
export function endpointOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export async function dependencyChecks(
  ctx: Pick<RunScope, 'settings' | 'signal' | 'redactor'>,
  deps: readonly DependencyConfig[],
  idPrefix: string,
  stage: string,
  env: Environ = ctx.settings.env,
): Promise<CheckResult[]> {
  return Promise.all(
    deps.map(async (dep): Promise<CheckResult> => {
      const started = Date.now();
      const url = dependencyUrl(dep, ctx.settings, env);
      if (url) {
        // An explicit env var is not in the run's secret list: its credentials become secrets here.
        ctx.redactor.addSecret(dep.urlEnv, url);
        try {
          const u = new URL(url);
          if (u.password) ctx.redactor.addSecret(`${dep.urlEnv}:password`, decodeURIComponent(u.password));
        } catch {
          /* not a URL: the probe reports it */
        }
      }
      const out = url ? await probe(ctx, dep, url) : harnessFault(`${dep.urlEnv} is not set`);
      const where = url ? ctx.redactor.url(endpointOf(url)) : dep.urlEnv;
      return ctx.redactor.deep({
        id: `${idPrefix}.dependency.${dep.name}`,
        stage,
        title: dep.title ?? `${dep.type === 'postgres' ? 'PostgreSQL' : 'Redis'} ${dep.name} answers directly (${dep.urlEnv})`,
        severity: dep.severity,
        ...(dep.onFail ? { onFail: dep.onFail } : {}),
        status: out.status,
        message: `${dep.name}: ${out.message}`,
        durationMs: Date.now() - started,
        attempts: 1,
        evidence: [{ kind: 'text', label: 'endpoint', text: `${dep.type} ${where}` }, ...out.evidence],
        tags: ['@smoke', '@dependency'],
        ...(out.observed !== undefined ? { observed: out.observed } : {}),
        ...(out.limit !== undefined ? { limit: out.limit } : {}),
        ...(out.unit ? { unit: out.unit } : {}),
      } satisfies CheckResult);
    }),
  );
}
