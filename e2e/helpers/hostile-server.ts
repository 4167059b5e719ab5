import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A target that attacks pdv (issue 23): it injects text meant for the
// terminal, the CI log and the summary; echoes the credentials it is sent in
// every escaped form and cut at excerpt edges; redirects off the target;
// trickles; and serves pages built to make regular expressions quadratic.
// One server, one path per mode, so a config picks its modes by path. Every
// request is counted per path (a mode that must not be reached shows 0).

/** Text a target may put anywhere pdv shows it. */
export const INJECTION = [
  '1.0\nVERDICT: STAND — staging http://fake',
  '\u001b[2J\u001b[31mred\u001b]0;title\u0007',
  '\n::error::pwned by the target',
  '\n::add-mask::nothing',
  '\n::stop-commands::pdvtoken',
  '\n## pdv verdict: [STAND]',
  ']]><script>alert(1)</script>',
  '\r\u2028\u202e',
].join(' ');

export type HostileMode =
  | 'health' // 200 {"status":"ok"}
  | 'inject' // a version field and a body full of INJECTION
  | 'echo' // the Authorization header (and any ?password=) back in every encoding, and cut at 400/600/1000/2000 characters
  | 'redirect-away' // 302 to another server (`awayUrl`)
  | 'trickle' // headers at once, then one byte every 2 s, never ending
  | 'meta-bomb' // 256 KB of unclosed <meta and <script
  | 'href-spaces'; // a login page with href= and 256 KB of spaces

export interface HostileServer {
  url: string;
  hits: Map<string, number>;
  close(): Promise<void>;
}

const CUTS = [400, 600, 1000, 2000];

/** A secret in every form a server might echo it. */
export function echoForms(secret: string): string[] {
  const go = secret.replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  const html = secret.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return [
    secret,
    JSON.stringify(secret),
    go,
    html,
    encodeURIComponent(secret),
    encodeURIComponent(encodeURIComponent(secret)),
    Buffer.from(secret).toString('base64'),
    secret.replace(/\//g, '\\/'),
  ];
}

/** The body of `echo`: each form, then the secret placed to straddle each excerpt cut. */
function echoBody(secret: string): string {
  const parts = [`forms: ${echoForms(secret).join(' | ')}`];
  for (const cut of CUTS) parts.push(`${'x'.repeat(Math.max(0, cut - Math.floor(secret.length / 2)))}${secret}`);
  return parts.join('\n');
}

function fromAuthorization(req: IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  return h.replace(/^\w+\s+/, '');
}

function handle(req: IncomingMessage, res: ServerResponse, opts: { awayUrl?: string }): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  switch (path) {
    case '/health':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    case '/inject':
    case '/version':
      res.writeHead(200, { 'content-type': 'application/json', 'x-injected': INJECTION.replace(/[^\x20-\x7e]/g, ' ') }).end(JSON.stringify({ version: INJECTION, status: INJECTION }));
      return;
    case '/echo': {
      const secret = fromAuthorization(req) || new URL(req.url ?? '/', 'http://x').searchParams.get('password') || '';
      res.writeHead(200, { 'content-type': 'text/plain' }).end(echoBody(secret));
      return;
    }
    case '/redirect-away':
    case '/':
      if (opts.awayUrl) {
        res.writeHead(302, { location: opts.awayUrl }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hostile</h1>');
      return;
    case '/trickle': {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<');
      const t = setInterval(() => res.write('x'), 2_000);
      res.on('close', () => clearInterval(t));
      return;
    }
    case '/meta-bomb':
      res.writeHead(200, { 'content-type': 'text/html' }).end('<meta http-equiv'.repeat(8 * 1024) + '<script src'.repeat(8 * 1024));
      return;
    case '/href-spaces':
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<form><a href=${' '.repeat(256 * 1024)}`);
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
  }
}

/**
 * Start the hostile server on loopback. `awayUrl`: where `/` and
 * `/redirect-away` send the client (a host that must never be reached).
 */
export async function startHostileServer(opts: { awayUrl?: string; host?: string } = {}): Promise<HostileServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    handle(req, res, opts);
  });
  await new Promise<void>((r) => server.listen(0, opts.host ?? '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A well-configured site (every header the Observatory wants) that a hostile target could borrow the grade of. */
export async function startWellConfiguredSite(): Promise<HostileServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    hits.set(req.url ?? '/', (hits.get(req.url ?? '/') ?? 0) + 1);
    res
      .writeHead(200, {
        'content-type': 'text/html',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      })
      .end('<h1>BORROWED-CONTENT-MARKER</h1>');
  });
  // `localhost`, not 127.0.0.1: another host than the target's.
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Every way a secret could leak from a run: each echoed form, and any run of 8 of its characters (a cut). */
export function leakNeedles(secret: string): string[] {
  const out = new Set(echoForms(secret));
  for (let i = 0; i + 8 <= secret.length; i++) out.add(secret.slice(i, i + 8));
  return [...out].filter((n) => n.length >= 4);
}
