// The only place pdv writes to the terminal. Commands print through this
// object so --json can keep stdout clean for machines.

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

export function createIo(json: boolean, state: { exitCode: number } = { exitCode: 0 }): CliIo & { state: { exitCode: number } } {
  return {
    json,
    state,
    info: (line) => (json ? process.stderr : process.stdout).write(line + '\n'),
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
    error: (line) => process.stderr.write(line + '\n'),
    setExitCode: (code) => {
      state.exitCode = code;
    },
  };
}
