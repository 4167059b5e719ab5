// Real Prometheus for e2e tests (owner: metrics/soak). The launcher lives in
// demo/prometheus/ so `pdv demo` can use it too.
import { prometheusAvailable } from '../../demo/prometheus/launch.ts';
import { missingBinary } from './binaries.ts';

export { freePort, prometheusAvailable, startPrometheus, type RunningPrometheus, type StartPrometheusOptions } from '../../demo/prometheus/launch.ts';

/** For `describe.skipIf(…)`: fails the suite on CI when Prometheus is missing (see binaries.ts). */
export function skipWithoutPrometheus(): boolean {
  return missingBinary('Prometheus', prometheusAvailable(), 'apt-get install prometheus, or set PDV_PROMETHEUS_BIN');
}
