import { CommanderError } from 'commander';
import { errorMessage, UnrecordedVerdictError, UsageError } from '../core/errors.ts';
import { EXIT_USAGE } from '../core/verdict-exit.ts';
import { createIo } from './io.ts';
import { logText } from '../core/untrusted.ts';
import { addAreaCommands, buildProgram } from './program.ts';

// The only caller of process.exit. SIGINT aborts the run: what was gathered
// is kept and the verdict is hold; a second SIGINT exits at once.
export async function main(argv: string[]): Promise<number> {
  const io = createIo(argv.includes('--json'));
  const controller = new AbortController();
  let interrupts = 0;
  // Each signal is named as itself in the reports ("interrupted (SIGTERM)").
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    io.error(`pdv: interrupted by ${signal} — finishing the report with what was gathered (send it again to quit now)`);
    controller.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const program = buildProgram(io, controller.signal);
    await addAreaCommands(program, io);
    await program.parseAsync(argv, { from: 'user' });
    return io.state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version are not errors.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      io.error(`pdv: error: ${err.message}`);
      return EXIT_USAGE;
    }
    if (err instanceof UnrecordedVerdictError) {
      io.error(`pdv: error: ${err.message}`);
      return 2; // hold: no report claims a verdict
    }
    io.error(`pdv: internal error: ${logText(errorMessage(err))}`);
    if (process.env.PDV_DEBUG && err instanceof Error && err.stack) io.error(err.stack);
    return 2; // the harness broke: never stand
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Lingering handles (browser pipes, keep-alive sockets) must not keep a finished run alive.
setTimeout(() => process.exit(code), 200).unref();
