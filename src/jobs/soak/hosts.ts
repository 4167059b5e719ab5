import { UsageError } from '../../core/errors.ts';
import { hostAllowed } from '../../load/safety.ts';
import type { SoakPlan } from './types.ts';

// A soak sends traffic for days: only to hosts on the environment's
// allow-list (the load stage's rule, loopback included only when listed),
// refused at `soak start` before anything is written or sent.

export function probeUrl(baseUrl: string, path: string): string {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

/** Every URL a tick of this plan requests from the target. */
export function soakTargetUrls(plan: Pick<SoakPlan, 'target' | 'soak' | 'processMetricsUrl'>): Array<{ url: string; where: string }> {
  return [
    { url: plan.target.baseUrl, where: 'environment.baseUrl' },
    ...plan.soak.probes.map((p, i) => ({ url: probeUrl(plan.target.baseUrl, p.path), where: `stages.metrics.soak.probes.${i}.path` })),
    ...(plan.processMetricsUrl ? [{ url: plan.processMetricsUrl, where: 'stages.metrics.soak.process.metricsPath' }] : []),
  ];
}

export function assertSoakHostsAllowed(plan: Pick<SoakPlan, 'target' | 'soak' | 'processMetricsUrl'>, allowedHosts: readonly string[]): void {
  for (const { url, where } of soakTargetUrls(plan)) {
    if (hostAllowed(url, allowedHosts)) continue;
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      // not a URL: name it as written
    }
    throw new UsageError(
      allowedHosts.length === 0
        ? `refused to soak ${host}: environment.allowedHosts is empty (list the hosts the soak may probe)`
        : `refused to soak ${host}: not on environment.allowedHosts (${allowedHosts.join(', ')})`,
      where,
    );
  }
}
