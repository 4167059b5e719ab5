import type { Command } from 'commander';
import { logText } from '../../core/untrusted.ts';
import { parseDuration, timerLimitProblem } from '../../core/duration.ts';
const loadConfigModule = () => import('../../config/load.ts');
import { UsageError } from '../../core/errors.ts';
import { exitCodeFor } from '../../core/verdict-exit.ts';
import type { TickOutcome } from '../../jobs/soak/index.ts';
const loadSoak = () => import('../../jobs/soak/index.ts');
import type { CliIo } from '../io.ts';
import { configFlags, type TargetOptions } from '../options.ts';

// `pdv soak start|tick|run|status|judge`. The logic lives in src/jobs/soak/; this
// file parses flags, prints and sets the exit code.

interface StartOpts extends TargetOptions {
  duration?: string;
  interval?: string;
  warmup?: string;
  state?: string;
  id?: string;
}

function ms(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const v = parseDuration(value);
  if (v === undefined || !(v > 0)) throw new UsageError(`"${value}" is not a duration (e.g. 30s, 5m, 48h)`, flag);
  const tooLong = timerLimitProblem(value, v);
  if (tooLong) throw new UsageError(tooLong, flag);
  return v;
}

function tickLine(t: TickOutcome): string {
  if (!t.tick) return `soak ${t.state.id}: no tick (${t.skipped ?? 'nothing to do'})`;
  const v = Object.entries(t.tick.values).map(([k, x]) => `${k}=${Number.isInteger(x) ? x : x.toFixed(3)}`).join(' ');
  const errs = Object.keys(t.tick.errors).length ? ` errors: ${Object.entries(t.tick.errors).map(([k, e]) => `${k}: ${e}`).join('; ')}` : '';
  const ended = t.state.ended ? ` — ${t.state.ended.message}` : '';
  return `soak ${t.state.id}: tick ${t.tick.seq} ${v}${errs}${ended}`;
}

export function register(program: Command, io: CliIo): void {
  const soak = program.command('soak').description('long soak: persistent state, one sample per tick, resumable, a verdict at any time');
  startCommand(soak, io);
  tickCommand(soak, io);
  runCommand(soak, io);
  statusCommand(soak, io);
  judgeCommand(soak, io);
}

function startCommand(soak: Command, io: CliIo): void {
  soak
    .command('start')
    .description('create a soak state folder (default <reportsDir>/soak/<id>/)')
    .option('--config <file>', 'config file')
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .option('--base-url <url>', 'web app URL')
    .option('--api-url <url>', 'API URL')
    .option('--deploy-id <id>', 'deploy identifier')
    .option('--duration <d>', 'how long the soak lasts (default stages.metrics.soak.duration, 48h)')
    .option('--interval <d>', 'time between ticks (default 5m)')
    .option('--warmup <d>', 'dropped from the start before judging (default 10m)')
    .option('--state <dir>', 'state folder')
    .option('--id <id>', 'soak id')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: StartOpts) => {
      const config = await (await loadConfigModule()).loadConfig(configFlags(o));
      const durationMs = ms(o.duration, '--duration');
      const intervalMs = ms(o.interval, '--interval');
      const warmupMs = o.warmup === '0' ? 0 : ms(o.warmup, '--warmup');
      const out = (await loadSoak()).startSoak({
        config,
        ...(o.state ? { dir: o.state } : {}),
        ...(o.id ? { id: o.id } : {}),
        ...(durationMs !== undefined ? { durationMs } : {}),
        ...(intervalMs !== undefined ? { intervalMs } : {}),
        ...(warmupMs !== undefined ? { warmupMs } : {}),
      });
      if (o.json || io.json) io.out(JSON.stringify({ dir: out.dir, state: out.state }, null, 2));
      else io.info(`soak ${out.state.id} started: ${out.dir} (ends ${out.state.endsAt}, a tick every ${out.state.intervalMs / 1000} s)\nnext: pdv soak run --state ${out.dir}`);
    });
}

function tickCommand(soak: Command, io: CliIo): void {
  soak
    .command('tick')
    .description('take one sample and append it durably')
    .requiredOption('--state <dir>', 'state folder')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { state: string; json?: boolean }) => {
      const { lockSoak, tickSoak } = await loadSoak();
      const release = await lockSoak(o.state);
      const t = await tickSoak(o.state, { env: process.env }).finally(release);
      if (o.json || io.json) io.out(JSON.stringify(t, null, 2));
      else io.info(tickLine(t));
    });
}

function runCommand(soak: Command, io: CliIo): void {
  soak
    .command('run')
    .description('tick until the duration ends (resumes where a killed run stopped), then judge')
    .requiredOption('--state <dir>', 'state folder')
    .option('--max-ticks <n>', 'stop after n ticks (a CI job shorter than the soak); run again to resume')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { state: string; maxTicks?: string; json?: boolean }) => {
      const maxTicks = o.maxTicks === undefined ? undefined : Number(o.maxTicks);
      if (maxTicks !== undefined && !(Number.isInteger(maxTicks) && maxTicks > 0)) throw new UsageError(`"${o.maxTicks}" is not a positive integer`, '--max-ticks');
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const state = await (await loadSoak()).runSoak(o.state, { env: process.env, signal: controller.signal, ...(maxTicks ? { maxTicks } : {}), onTick: (t) => (o.json || io.json ? undefined : io.info(tickLine(t))) });
        if (!state.ended) {
          io.info(`soak ${state.id}: paused after ${state.ticks} ticks; resume with pdv soak run --state ${o.state}`);
          if (o.json || io.json) io.out(JSON.stringify({ state }, null, 2));
          return;
        }
        const j = await (await loadSoak()).judgeSoak(o.state, { env: process.env });
        for (const f of j.reportFailures) io.error(`pdv: warning: report ${logText(f)}`);
        if (o.json || io.json) io.out(JSON.stringify({ dir: o.state, final: j.final, ...j.report }, null, 2));
        else printJudge(io, j.report.verdict, j.final, j.report.reasons, o.state);
        io.setExitCode(exitCodeFor(j.report.verdict));
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function statusCommand(soak: Command, io: CliIo): void {
  soak
    .command('status')
    .description('progress of a soak')
    .requiredOption('--state <dir>', 'state folder')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { state: string; json?: boolean }) => {
      const s = (await loadSoak()).soakStatus(o.state);
      if (o.json || io.json) io.out(JSON.stringify(s, null, 2));
      else
        io.info(
          `soak ${s.state.id}: ${s.state.ticks} ticks, ${(s.progress * 100).toFixed(1)}% of ${s.state.durationMs / 1000} s` +
            (s.state.ended ? `, ended (${s.state.ended.message})` : `, ${Math.round(s.remainingMs / 1000)} s left${s.nextTickAt ? `, next tick ${s.nextTickAt}` : ''}`),
        );
    });
}

function judgeCommand(soak: Command, io: CliIo): void {
  soak
    .command('judge')
    .description('interim or final verdict of a soak (writes verdict.json and reports into the soak folder)')
    .requiredOption('--state <dir>', 'state folder')
    .option('--json', 'machine output on stdout', false)
    .action(async (o: { state: string; json?: boolean }) => {
      const j = await (await loadSoak()).judgeSoak(o.state, { env: process.env });
      for (const f of j.reportFailures) io.error(`pdv: warning: report ${logText(f)}`);
      if (o.json || io.json) io.out(JSON.stringify({ dir: o.state, final: j.final, ...j.report }, null, 2));
      else printJudge(io, j.report.verdict, j.final, j.report.reasons, o.state);
      io.setExitCode(exitCodeFor(j.report.verdict));
    });
}

function printJudge(io: CliIo, verdict: string, final: boolean, reasons: Array<{ checkId: string; message: string }>, dir: string): void {
  io.info(`soak verdict (${final ? 'final' : 'interim'}): ${verdict.toUpperCase()}`);
  for (const r of reasons) io.info(`  - ${logText(r.checkId)}: ${logText(r.message)}`);
  io.info(`report: ${dir}/index.html`);
}
