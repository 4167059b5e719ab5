export { dependencySchema, type DependencyConfig, type PostgresDependency, type RedisDependency } from './config.ts';
export { dependencyChecks } from './checks.ts';
export { planDependencies, dependencyUrl } from './resolve.ts';
export { probePostgres } from './postgres.ts';
export { probeRedis } from './redis.ts';
