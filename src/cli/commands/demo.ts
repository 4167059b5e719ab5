import { resolve } from 'node:path';
import { logText } from '../../core/untrusted.ts';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { progressPrinter } from '../progress.ts';
import { finish } from '../finish.ts';

export function registerDemo(program: Command, io: CliIo, signal: AbortSignal): void {
  program
    .command('demo')
    .description('start the bundled demo deployment on loopback, verify it, stop it')
    .option('--fault <name...>', 'inject a fault (repeatable); see the README for names and expected verdicts')
    .option('--stage <name...>', 'run only these stages (the verdict is marked partial)')
    .option('--blue-green', 'run the previous release beside the new one behind one URL; a rollback switches back to it', false)
    .option('--out <dir>', 'run folder (default reports/<run-id>/)')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { fault?: string[]; stage?: string[]; out?: string; blueGreen?: boolean }) => {
      // Loaded on use: the demo is not part of a production verify, nor of the installed package.
      const { runDemo } = await import('../../../demo/job.ts').catch((err: unknown) => {
        if ((err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
        throw new UsageError(
          'the demo deployment ships only with a checkout of the pdv repository (git clone …, then `npm ci && npm run demo`); in your own repo run `npx pdv init` and `npx pdv verify`',
          'pdv demo',
        );
      });
      const { report, runDir, warnings } = await runDemo({
        faults: o.fault ?? [],
        blueGreen: Boolean(o.blueGreen),
        ...(o.stage ? { stages: o.stage } : {}),
        ...(o.out ? { out: o.out } : {}),
        reportsDir: resolve('reports'),
        signal,
        onEvent: progressPrinter(io),
        onReady: ({ baseUrl, faults, blueGreen, prometheus }) =>
          io.info(
            `demo deployment up at ${baseUrl}${blueGreen ? ' (blue-green)' : ''}${faults.length ? ` with fault(s) ${faults.join(', ')}` : ''}${prometheus ? `; Prometheus at ${prometheus}` : ''}`,
          ),
        actions: true,
      });
      for (const w of warnings) io.error(`pdv: warning: ${logText(w)}`);
      finish(io, report, runDir);
    });
}
