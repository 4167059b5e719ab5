// Text a target wrote (a version field, a health body, an error message) is
// data, never layout or commands. The terminal, CI logs and the markdown
// summary render it through these functions, so a hostile target cannot print
// a fake `VERDICT: STAND` line, move the cursor with ANSI escapes, or issue a
// GitHub Actions workflow command (`::error::`, `::add-mask::`,
// `::stop-commands::`), which the runner reads from any line that starts with
// `::` after leading spaces.

/** Longest piece of target text shown on one terminal line. */
export const MAX_LOG_TEXT = 500;

/** C0/C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides that reorder what is shown. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeControl(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  if (ch === '\u001b') return '\\e';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A workflow command starts a line with `::` after leading spaces; shown with its first colon escaped. */
function defuseCommand(line: string): string {
  return line.replace(/^(\s*):(?=:)/, '$1\\x3a');
}

/**
 * The one rendering of target-derived text for the terminal and CI logs: one
 * line, every control character and escape sequence shown escaped, cut at
 * `max` characters, and never able to start a line with `::`.
 */
export function logText(value: unknown, max = MAX_LOG_TEXT): string {
  const text = String(value ?? '');
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
  return defuseCommand(cut.replace(CONTROL, escapeControl));
}

/**
 * The last guard on every line pdv writes to a terminal or CI log, its own
 * included: escape sequences and stray controls shown escaped (tabs and line
 * breaks kept), and no physical line starting with `::`.
 */
export function logLine(line: string): string {
  return line
    .replace(CONTROL, (ch) => (ch === '\n' || ch === '\t' ? ch : escapeControl(ch)))
    .split('\n')
    .map(defuseCommand)
    .join('\n');
}

/** Control characters in text for markdown (the summary, the step summary): shown escaped, never acted on. */
export function escapeControlText(value: string): string {
  return value.replace(CONTROL, escapeControl);
}
