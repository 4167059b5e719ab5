import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
const loadConfigModule = () => import('../../config/load.ts');
const loadFs = () => import('../../platform/fs.ts');
import { UsageError } from '../../core/errors.ts';
const loadKExport = () => import('../../load/k6-export.ts');
const loadKImport = () => import('../../load/k6-import.ts');
const loadScenarioModule = () => import('../../load/scenario-file.ts');
import type { CliIo } from '../io.ts';
import { addTargetOptions, configFlags, type TargetOptions } from '../options.ts';
const loadVerify = () => import('../verify.ts');
import type { K8sOptions } from './load-k8s.ts';

// `pdv load export-k6` / `pdv load import-k6`: hand a scenario to k6 or
// k6-operator, and bring k6's summary back as pdv checks and a verdict.

interface ExportOptions {
  config?: string;
  env?: string;
  scenario?: string;
  out?: string;
  parallelism?: string;
  name?: string;
  json?: boolean;
}

export function register(program: Command, io: CliIo): void {
  const load = program.command('load').description('load helpers: k6 twin of a scenario, k6 summaries as checks');

  load
    .command('export-k6')
    .description('write a k6 script (same scenarios, thresholds, handleSummary → JSON) and a k6-operator TestRun manifest')
    .option('--config <file>', 'config file')
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .option('--scenario <file>', 'scenario module (default: stages.load.scenario)')
    .option('--out <dir>', 'output folder', 'perf/k6')
    .option('--parallelism <n>', 'k6-operator runners (each takes an equal execution segment)', '1')
    .option('--name <name>', 'name of the TestRun and its ConfigMap (default: pdv-<scenario>)')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: ExportOptions) => {
      const parallelism = Number(o.parallelism ?? '1');
      if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000) throw new UsageError(`"${o.parallelism}" must be a whole number from 1 to 1000`, '--parallelism');
      const config = await (await loadConfigModule()).loadConfig(configFlags(o));
      const cfg = config.stages.load;
      const loaded = await (await loadScenarioModule()).loadScenarioFile(o.scenario ? resolve(o.scenario) : cfg.scenario, config.rootDir);
      const name = (o.name ?? `pdv-${loaded.scenario.name}`).toLowerCase().replace(/[^a-z0-9-]+/g, '-');
      const out = resolve(o.out ?? 'perf/k6');
      const scriptFile = `${name}.k6.js`;
      const { exportK6Script, exportTestRun } = await loadKExport();
      const { writeFileAtomic } = await loadFs();
      const script = exportK6Script(loaded.scenario, config, basename(loaded.file));
      const { rolesUsed } = await import('../../load/scenario.ts');
      const secretEnv = rolesUsed(loaded.scenario).flatMap((r) => config.environment.credentials[r]?.passwordEnv ?? []);
      const manifest = exportTestRun({ name, configMap: name, file: scriptFile, parallelism, env: { SUMMARY_FILE: '/tmp/summary.json' }, secretEnv });
      await writeFileAtomic(join(out, scriptFile), script);
      await writeFileAtomic(join(out, `${name}.testrun.yaml`), manifest);
      const written = { script: join(out, scriptFile), testRun: join(out, `${name}.testrun.yaml`), parallelism };
      if (o.json || io.json) io.out(JSON.stringify(written, null, 2));
      else {
        io.info(`k6 script:       ${written.script}`);
        io.info(`k6-operator run: ${written.testRun} (parallelism ${parallelism})`);
        io.info(`ConfigMap:       kubectl create configmap ${name} --from-file=${written.script}`);
      }
    });

  load
    .command('export-k8s')
    .description('write Kubernetes manifests: an Indexed Job of N segments with one start time, a ConfigMap with the config and scenario, a Secret reference, and a merge Job')
    .option('--config <file>', 'config file')
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .requiredOption('--parallelism <n>', 'segments (pods), each taking every n-th arrival')
    .requiredOption('--start-at <time>', 'ISO time (with a zone) at which every segment starts its schedule')
    .requiredOption('--image <image>', 'an image holding your project (and its node_modules with pdv)')
    .option('--workdir <dir>', "the image's project folder", '/app')
    .option('--pdv <command>', 'how the image runs pdv', 'npx pdv')
    .option('--out <dir>', 'output folder', 'perf/k8s')
    .option('--name <name>', 'name of the Jobs, ConfigMap, Secret and volume claim (default: pdv-<scenario>)')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: ExportOptions & K8sOptions) => (await import('./load-k8s.ts')).exportK8sCommand(io, o));

  addTargetOptions(
    load
      .command('import-k6')
      .argument('<file...>', "k6 summary JSON (from handleSummary), or each pod's raw output (k6 run --out json=pod-N.json[.gz])")
      .description('turn k6 results into pdv checks and a verdict: raw outputs of all pods add into exact HDR histograms (exit 3 on a malformed file)'),
  ).action(
    async (files: string[], o: TargetOptions) => {
      // Validate before anything runs: a malformed file is a usage error (exit 3), not a hold.
      const { isK6RawFile } = await import('../../load/k6-raw.ts');
      for (const file of files) {
        if (isK6RawFile(file)) continue;
        (await loadKImport()).parseK6Summary(await readFile(file, 'utf8').catch(() => {
          throw new UsageError('cannot read the file', file);
        }), file);
      }
      const controller = new AbortController();
      const onSigint = (): void => controller.abort(new Error('SIGINT'));
      process.once('SIGINT', onSigint);
      try {
        await (await loadVerify()).verifyCommand(io, { ...o, import: files.map((f) => resolve(f)) } as Parameters<Awaited<ReturnType<typeof loadVerify>>['verifyCommand']>[1], ['load'], controller.signal, 'load import-k6');
      } finally {
        process.off('SIGINT', onSigint);
      }
    },
  );
}
