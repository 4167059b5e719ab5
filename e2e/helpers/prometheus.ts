// Real Prometheus for e2e tests (owner: metrics/soak). The launcher lives in
// demo/prometheus/ so `pdv demo` can use it too.
export { freePort, prometheusAvailable, startPrometheus, type RunningPrometheus, type StartPrometheusOptions } from '../../demo/prometheus/launch.ts';
