// Start tags read from a page the target wrote, in one linear pass. The
// regular expression `/<meta\b[^>]*>/g` it replaces is quadratic on a page of
// unclosed `<meta` (each one scans to the end for a `>`): 256 KB of them held
// the event loop for 22 s.

/** Every `<name …>` start tag (case-insensitive), as written. */
export function startTags(html: string, name: string): string[] {
  const lower = html.toLowerCase();
  const needle = `<${name.toLowerCase()}`;
  const out: string[] = [];
  for (let i = lower.indexOf(needle); i !== -1; ) {
    const next = lower.charCodeAt(i + needle.length);
    // `\b`: `<metadata>` is not `<meta`.
    if (Number.isNaN(next) || !isWordChar(next)) {
      const end = lower.indexOf('>', i + needle.length);
      if (end === -1) break; // unclosed: no later tag can close either
      out.push(html.slice(i, end + 1));
      i = lower.indexOf(needle, end + 1);
    } else {
      i = lower.indexOf(needle, i + needle.length);
    }
  }
  return out;
}

function isWordChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}
