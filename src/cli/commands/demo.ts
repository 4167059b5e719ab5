import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { progressPrinter } from '../progress.ts';
import { finish } from '../program.ts';

export function registerDemo(program: Command, io: CliIo, signal: AbortSignal): void {
  program
    .command('demo')
    .description('start the bundled demo deployment on loopback, verify it, stop it')
    .option('--fault <name...>', 'inject a fault (repeatable); see the README for names and expected verdicts')
    .option('--stage <name...>', 'run only these stages (the verdict is marked partial)')
    .option('--out <dir>', 'run folder (default reports/<run-id>/)')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { fault?: string[]; stage?: string[]; out?: string }) => {
      // Loaded on use: the demo is not part of a production verify.
      const { runDemo } = await import('../../runner/demo.ts');
      const { report, runDir } = await runDemo({
        faults: o.fault ?? [],
        ...(o.stage ? { stages: o.stage } : {}),
        ...(o.out ? { out: o.out } : {}),
        reportsDir: resolve('reports'),
        signal,
        onEvent: progressPrinter(io),
        onReady: ({ baseUrl, faults }) => io.info(`demo deployment up at ${baseUrl}${faults.length ? ` with fault(s) ${faults.join(', ')}` : ''}`),
      });
      finish(io, report, runDir);
    });
}
