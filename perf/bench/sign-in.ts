// Sign-in cost per role by login shape (figures, not asserts): a JSON login
// (one request, the reference), a CSRF form login (page, submit, redirect)
// and a browser sign-in in Chromium (start, page, script, close), each
// against a loopback server, median of 5. Ratios against the JSON login of
// the same run; refused on a loaded machine.
import { availableParallelism, loadavg } from 'node:os';
import { startCsrfLoginServer, startScriptLoginServer } from '../../e2e/helpers/login-servers.ts';
import { authSchema, roleSchema } from '../../src/auth/config.ts';
import { Authenticator } from '../../src/auth/login.ts';
import { Redactor } from '../../src/core/redact.ts';

const RUNS = 5;
const secrets = new Map([['PW', 'bench-password-1']]);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(auth: unknown, apiUrl: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const a = new Authenticator({ auth: authSchema.parse(auth), roles: { ann: roleSchema.parse({ username: 'ann', passwordEnv: 'PW' }) }, apiUrl, baseUrl: apiUrl, secrets, redactor: new Redactor(secrets), signal: new AbortController().signal });
    const t = performance.now();
    const s = await a.session('ann');
    times.push(performance.now() - t);
    if (!s.ok) throw new Error(s.message);
  }
  return median(times);
}

const cores = availableParallelism();
const before = loadavg()[0]!;
const form = await startCsrfLoginServer({ username: 'ann', password: 'bench-password-1', session: 'bench-session-1' });
const script = await startScriptLoginServer({ username: 'ann', password: 'bench-password-1', token: 'bench-token-1' });
try {
  const json = await time({ type: 'json', url: '/api/login', usernameField: 'u', passwordField: 'p', tokenPath: 'token' }, script.base);
  const csrf = await time({ type: 'form', url: '/login/' }, form.base);
  const browser = await time({ type: 'browser', url: '/', localStorageToken: { key: 'auth', path: 'access_token' } }, script.base);
  const after = loadavg()[0]!;
  console.log(`sign-in per role, median of ${RUNS} (load average ${before.toFixed(2)} → ${after.toFixed(2)}, ${cores} cores)`);
  console.log(`  json (reference)  ${json.toFixed(1).padStart(8)} ms`);
  console.log(`  form with CSRF    ${csrf.toFixed(1).padStart(8)} ms`);
  console.log(`  browser           ${browser.toFixed(1).padStart(8)} ms`);
  if (Math.max(before, after) >= cores) console.log(`ratios refused: load average ≥ ${cores} cores`);
  else console.log(`  form / json ${(csrf / json).toFixed(2)}   browser / json ${(browser / json).toFixed(1)}`);
} finally {
  await form.close();
  await script.close();
}
