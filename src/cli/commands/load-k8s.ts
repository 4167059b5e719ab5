import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { UsageError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../platform/fs.ts';
import { exportK8s } from '../../load/k8s-export.ts';
import { rolesUsed } from '../../load/scenario.ts';
import { loadScenarioFile } from '../../load/scenario-file.ts';
import type { CliIo } from '../io.ts';
import { configFlags, parseStartAt, type TargetOptions } from '../options.ts';

// `pdv load export-k8s`: the manifests for N segments on a cluster the user has (src/load/k8s-export.ts).

export interface K8sOptions {
  startAt: string;
  image: string;
  workdir?: string;
  pdv?: string;
}

export async function exportK8sCommand(io: CliIo, o: TargetOptions & K8sOptions & { parallelism?: string; name?: string; json?: boolean }): Promise<void> {
  const parallelism = Number(o.parallelism);
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000) throw new UsageError(`"${o.parallelism}" must be a whole number from 1 to 1000`, '--parallelism');
  parseStartAt(o.startAt, Date.now());
  const config = await loadConfig(configFlags(o));
  if (!config.file) throw new UsageError('export-k8s mounts the config file in the pods: name it with --config', '--config');
  const loaded = await loadScenarioFile(config.stages.load.scenario, config.rootDir);
  const scenarioPath = relative(dirname(config.file), loaded.file);
  if (scenarioPath.startsWith('..')) throw new UsageError(`the scenario ${loaded.file} is outside the config's folder: it could not be mounted beside the config`, `${config.file}: stages.load.scenario`);
  const name = (o.name ?? `pdv-${loaded.scenario.name}`).toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const manifest = exportK8s({
    name,
    parallelism,
    startAt: o.startAt,
    image: o.image,
    workdir: o.workdir ?? '/app',
    pdv: o.pdv ?? 'npx pdv',
    config: await readFile(config.file, 'utf8'),
    scenario: { path: scenarioPath, text: await readFile(loaded.file, 'utf8') },
    secretEnv: rolesUsed(loaded.scenario).flatMap((r) => config.environment.credentials[r]?.passwordEnv ?? []),
    environment: config.environmentName,
  });
  const file = join(resolve(o.out ?? 'perf/k8s'), `${name}.k8s.yaml`);
  await writeFileAtomic(file, manifest);
  if (o.json || io.json) io.out(JSON.stringify({ manifest: file, parallelism, startAt: o.startAt }, null, 2));
  else io.info(`Kubernetes manifests: ${file} (${parallelism} segments from ${o.startAt}; kubectl apply -f it)`);
}
