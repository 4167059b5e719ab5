// The only place pdv writes to the terminal. Commands print through this
// object so --json can keep stdout clean for machines. Every line passes
// logLine() (no escape sequence, no `::` workflow command from any source),
// and a closed pipe (`pdv verify | head`) never stops the run: the report
// and the actions complete, the exit code stays the verdict's.
import { logLine } from '../core/untrusted.ts';

export interface CliIo {
  /** Human output (stderr when --json is on, so stdout stays machine-readable). */
  info(line: string): void;
  /** Machine or primary output on stdout. */
  out(text: string): void;
  error(line: string): void;
  json: boolean;
  /** Set the process exit code (the last one set wins; main() exits with it). */
  setExitCode(code: number): void;
}

type Stream = NodeJS.WriteStream;

/** Writes that survive a reader that went away: EPIPE (and any later write error) silences the stream, nothing else. */
export function guardStream(stream: Pick<Stream, 'on' | 'write'>): (text: string) => void {
  let closed = false;
  stream.on('error', () => {
    closed = true; // EPIPE and friends: the reader is gone; the run is not
  });
  return (text) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch {
      closed = true;
    }
  };
}

export function createIo(json: boolean, state: { exitCode: number } = { exitCode: 0 }): CliIo & { state: { exitCode: number } } {
  const stdout = guardStream(process.stdout);
  const stderr = guardStream(process.stderr);
  return {
    json,
    state,
    info: (line) => (json ? stderr : stdout)(logLine(line) + '\n'),
    out: (text) => stdout(text.endsWith('\n') ? text : text + '\n'),
    error: (line) => stderr(logLine(line) + '\n'),
    setExitCode: (code) => {
      state.exitCode = code;
    },
  };
}
