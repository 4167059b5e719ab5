import { unzipSync, zipSync, strToU8, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../core/redact.ts';
import { redactTraceZip } from './trace-redact.ts';
import { markFlaky } from './allure.ts';

const PASSWORD = 'pw-canary-7781';
const TOKEN = 'tok_9f8e7d6c5b4a3f2e1d0c';

function fakeTrace(): Uint8Array {
  const loginBody = JSON.stringify({ username: 'editor@studio.test', password: PASSWORD });
  const trace = [
    { type: 'before', method: 'fill', params: { selector: '[data-testid=login-password]', value: PASSWORD } },
    { type: 'before', method: 'fetch', params: { url: '/api/login', jsonData: loginBody, postData: Buffer.from(loginBody).toString('base64') } },
    { type: 'context-options', options: { storageState: { cookies: [{ name: 'sid', value: TOKEN, domain: '127.0.0.1' }] } } },
  ];
  const network = [
    {
      type: 'resource-snapshot',
      snapshot: {
        request: { url: '/api/projects', headers: [{ name: 'Cookie', value: `sid=${TOKEN}` }, { name: 'Accept', value: 'application/json' }], cookies: [{ name: 'sid', value: TOKEN }] },
        response: { status: 200, headers: [{ name: 'Set-Cookie', value: `sid=${TOKEN}; Path=/; HttpOnly` }] },
      },
    },
  ];
  return zipSync({
    'trace.trace': strToU8(trace.map((l) => JSON.stringify(l)).join('\n')),
    'trace.network': strToU8(network.map((l) => JSON.stringify(l)).join('\n')),
    'resources/abc.json': strToU8(JSON.stringify({ token: TOKEN, user: { id: 1 } })),
    'resources/page.html': strToU8(`<p>Bearer ${TOKEN}</p><input value="${PASSWORD}">`),
    'resources/shot.jpeg': new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01]),
  });
}

describe('redactTraceZip', () => {
  it('removes passwords, cookies and tokens from every entry and keeps the archive usable', () => {
    const redactor = new Redactor([['DEMO_EDITOR_PASSWORD', PASSWORD]]);
    const out = unzipSync(redactTraceZip(fakeTrace(), redactor));
    expect(Object.keys(out).sort()).toEqual(['resources/abc.json', 'resources/page.html', 'resources/shot.jpeg', 'trace.network', 'trace.trace']);
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    for (const [name, bytes] of Object.entries(out)) {
      const text = strFromU8(bytes, true);
      expect(text, name).not.toContain(PASSWORD);
      expect(text, name).not.toContain(TOKEN);
      expect(text, name).not.toContain(b64(PASSWORD).slice(0, 12));
    }
    // Non-secret structure survives: the Accept header, the cookie's name, the JPEG bytes.
    const network = strFromU8(out['trace.network'] ?? new Uint8Array());
    expect(network).toContain('application/json');
    expect(network).toContain('"name":"sid"');
    expect([...(out['resources/shot.jpeg'] ?? [])]).toEqual([0xff, 0xd8, 0xff, 0x00, 0x01]);
    // The base64 request body is still base64 of valid JSON, with the password gone.
    const fetchLine = strFromU8(out['trace.trace'] ?? new Uint8Array()).split('\n')[1] ?? '{}';
    const postData = (JSON.parse(fetchLine) as { params: { postData: string } }).params.postData;
    expect(JSON.parse(Buffer.from(postData, 'base64').toString())).toMatchObject({ username: 'editor@studio.test', password: '[REDACTED]' });
    // The session token is now a known secret of this run.
    expect(redactor.text(`x ${TOKEN} y`)).not.toContain(TOKEN);
  });
});

describe('markFlaky', () => {
  it('marks the final passed attempt of a test that failed first, and nothing else', () => {
    const results = [
      { historyId: 'a', status: 'failed', start: 1 },
      { historyId: 'a', status: 'passed', start: 2 },
      { historyId: 'b', status: 'passed', start: 1 },
      { historyId: 'c', status: 'failed', start: 1 },
      { historyId: 'c', status: 'failed', start: 2 },
    ];
    expect(markFlaky(results)).toBe(1);
    expect(results.map((r) => (r as { statusDetails?: { flaky?: boolean } }).statusDetails?.flaky ?? false)).toEqual([false, true, false, false, false]);
  });
});
