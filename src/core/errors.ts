// Error classes with stable codes. The CLI maps them to exit codes in one place.

/** Bad input: config, flags, URLs, thresholds, scanner files. Exit code 3, nothing verified. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** Where: a file path, `file: field.path`, or a flag name. */
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
  }
}

/** verdict.json could not be written: no report claims a verdict, the run exits hold (2). */
export class UnrecordedVerdictError extends Error {
  override readonly name = 'UnrecordedVerdictError';
}

/** The harness could not obtain evidence (a check becomes `errored`). */
export class EvidenceError extends Error {
  override readonly name = 'EvidenceError';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const code = (err as Error & { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
    const base = err.message || err.name;
    if (cause instanceof Error && cause.message && !base.includes(cause.message)) return `${base}: ${cause.message}`;
    if (code && !base.includes(code)) return `${base} (${code})`;
    return base;
  }
  return String(err);
}
