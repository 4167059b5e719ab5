// Every parser that reads what a target wrote, fed 1 MB of adversarial text
// (issue 23 item 5): times in ms, figures not asserts. A quadratic parser
// shows as seconds here (the grader's old `<meta` scan: 22 s on 256 KB).
// Refuses to measure on a loaded machine (load average >= cores).
import { availableParallelism, loadavg } from 'node:os';
import { Redactor } from '../../src/core/redact.ts';
import { logText } from '../../src/core/untrusted.ts';
import { gradeSite } from '../../src/observatory/index.ts';
import { httpEquiv } from '../../src/observatory/csp.ts';
import { startTags } from '../../src/observatory/html.ts';
import { parseSetCookie } from '../../src/observatory/header-rules.ts';
import type { ProbeResponse } from '../../src/http/probe-client.ts';
import { mdEscape } from '../../src/reporters/markdown.ts';
import { foreignUrlIn } from '../../src/stages/security/checks/foreign-url.ts';

const load = loadavg()[0] ?? 0;
if (load >= availableParallelism()) {
  console.log(`refused: load average ${load.toFixed(2)} >= ${availableParallelism()} cores; figures would be noise`);
  process.exit(0);
}

const MB = 1024 * 1024;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);
const INPUTS: Record<string, string> = {
  'unclosed <meta': fill('<meta '),
  'unclosed <script': fill('<script '),
  'spaces after href=': `<a href=${' '.repeat(MB)}`,
  'quotes and equals': fill(`href="'=`),
  '?a query-like run': fill('?a'),
  'a.a scheme-like run': fill('a.'),
  'Bearer + spaces': `Bearer${' '.repeat(MB)}`,
  'ESC and newlines': fill('\u001b[2J\n::error::x\r'),
  'entities': fill('&amp;#x'),
};

const page = (body: string): ProbeResponse => ({ url: 'https://t.example/', status: 200, headers: { 'content-type': ['text/html'], 'set-cookie': [body.slice(0, 64 * 1024)] }, body });
const redactor = new Redactor([['ROLE_PASSWORD', `Pa55<w&rd>"q'/x`], ['TOKEN', 'tok_0123456789abcdef']]);
const PARSERS: Record<string, (s: string) => unknown> = {
  'observatory grade (whole page)': (s) => gradeSite({ auto: page(s), httpRedirects: [], corsOrigin: 'https://o.example', setCookies: [] }),
  'meta http-equiv': httpEquiv,
  'script start tags': (s) => startTags(s, 'script'),
  'Set-Cookie': parseSetCookie,
  'open-redirect page': (s) => foreignUrlIn(s, 'pdv-open-redirect.example'),
  'redactor (free text)': (s) => redactor.text(s),
  'redactor excerpt': (s) => redactor.excerpt(s, 600),
  'terminal logText': (s) => logText(s),
  'markdown mdEscape': mdEscape,
};

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${availableParallelism()} cores; ms on the worst 1 MB input, and its time at 1 MB over 256 KB (linear ≈ 4, quadratic ≈ 16)`);
const time = (parse: (s: string) => unknown, input: string): number => {
  const t = performance.now();
  parse(input);
  return performance.now() - t;
};
for (const [name, parse] of Object.entries(PARSERS)) {
  let worst = 0;
  let worstInput = '';
  for (const [inputName, input] of Object.entries(INPUTS)) {
    const ms = time(parse, input);
    if (ms > worst) [worst, worstInput] = [ms, inputName];
  }
  const input = INPUTS[worstInput] ?? '';
  // Below ~20 ms the ratio is timer and GC noise: not printed.
  const ratio = worst >= 20 ? `×${(worst / Math.max(0.01, time(parse, input.slice(0, input.length / 4)))).toFixed(1).padStart(5)}` : '     –';
  console.log(`${name.padEnd(32)} ${worst.toFixed(1).padStart(9)} ms  ${ratio}  (${worstInput})`);
}
