import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// Loopback servers with the two commonest web logins, for the sign-in tests
// and the sign-in benchmark:
// - a server-rendered CSRF form (Django's shape): the page sets a CSRF cookie
//   and a hidden field; a POST without both is refused 403 "CSRF verification
//   failed"; a wrong password answers 200 with the form and an error note; a
//   right one redirects away with a session cookie;
// - a login that only works in a browser: the form is built by script, the
//   answer is JSON read by script, the token goes to localStorage.

export interface LoginServer {
  base: string;
  /** Credential submissions received (POSTs to the login endpoint). */
  posts: number;
  close(): Promise<void>;
}

export const CSRF_TOKEN = 'csrf-canary-5566';

async function listen(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void, counter: { posts: number }): Promise<LoginServer> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    get posts() {
      return counter.posts;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function page(error = '', action = '/login/?next=/home'): string {
  return `<!doctype html><html><head><title>Log in | Site admin</title><style>.errornote{color:red} body{font:12px}</style></head><body>
<h1>Site administration</h1>${error ? `<p class="errornote">${error}</p>` : ''}
<form action="${action}" method="post" id="login-form"><input type="hidden" name="csrfmiddlewaretoken" value="${CSRF_TOKEN}">
<label>Username <input type="text" name="username" autofocus></label><label>Password <input type="password" name="password"></label>
<input type="submit" value="Log in"></form></body></html>`;
}

/** The CSRF form login. `username`/`password` sign in; `session` is the session cookie's value. */
export function startCsrfLoginServer(o: { username: string; password: string; session: string }): Promise<LoginServer> {
  const counter = { posts: 0 };
  return listen((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const cookie = req.headers.cookie ?? '';
    const signedIn = cookie.includes(`sessionid=${o.session}`);
    const html = (status: number, text: string, headers: Record<string, string | string[]> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(text);
    };
    const csrfCookie = { 'set-cookie': `csrftoken=${CSRF_TOKEN}; Path=/; SameSite=Lax` };
    if (url.pathname === '/login/' && req.method === 'GET') return html(200, url.searchParams.get('land') === 'account' ? page('', '/login/?next=/account/') : page(), csrfCookie);
    if (url.pathname === '/login/' && req.method === 'POST') {
      counter.posts++;
      const f = new URLSearchParams(body);
      if (!cookie.includes(`csrftoken=${CSRF_TOKEN}`) || f.get('csrfmiddlewaretoken') !== CSRF_TOKEN || !req.headers.referer) {
        return html(403, '<html><head><title>403 Forbidden</title></head><body><h1>Forbidden <span>(403)</span></h1><p>CSRF verification failed. Request aborted.</p></body></html>');
      }
      if (f.get('username') === o.username && f.get('password') === o.password) {
        return html(302, '', { location: url.searchParams.get('next') ?? '/', 'set-cookie': [`sessionid=${o.session}; Path=/; HttpOnly`, `securesid=${o.session}-s; Path=/; Secure`] });
      }
      return html(200, page('Please enter a correct username and password. Note that both fields may be case-sensitive.'));
    }
    if (url.pathname === '/js-login/') return html(200, '<html><body><div id="app"></div><script>render()</script></body></html>');
    if (url.pathname === '/nolanding/' && req.method === 'GET') return html(200, page('', '/nolanding/'), csrfCookie);
    if (url.pathname === '/nolanding/' && req.method === 'POST') return html(200, '<html><body><p>ok</p></body></html>', { 'set-cookie': 'sessionid=not-a-session; Path=/' });
    if (url.pathname === '/account/') {
      // Signed in, on a page that holds another password form.
      if (signedIn) return html(200, '<form action="/password_change/" method="post"><input type="password" name="old"><input type="password" name="new"></form>');
      return html(302, '', { location: '/login/?next=/account/' });
    }
    if (url.pathname === '/home') return signedIn ? html(200, `<html><body><h1>Welcome, ${o.username}</h1></body></html>`) : html(302, '', { location: '/login/?next=/home' });
    html(404, '<h1>Not found</h1>');
  }, counter);
}

const APP = `<!doctype html><html><head><title>Console</title></head><body><div id="root">loading…</div><script>
setTimeout(() => {
  document.getElementById('root').innerHTML = '<h1>Sign in</h1><div id="msg" role="alert"></div><label for=u>User</label><input id=u><label for=p>Password</label><input id=p type=password><button id=go>Sign in</button>';
  document.getElementById('go').onclick = async () => {
    const r = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ u: document.getElementById('u').value, p: document.getElementById('p').value }) });
    if (r.status !== 200) { document.getElementById('msg').textContent = 'Login failed: check your user name and password'; return; }
    localStorage.setItem('auth', JSON.stringify({ access_token: (await r.json()).token }));
    document.getElementById('root').innerHTML = '<h1>Dashboard</h1><button id=logout>Log out</button>';
  };
}, 150);
</script></body></html>`;

/** The script-built login: POST /api/login (JSON) gives `token`; GET /api/me answers for it. */
export function startScriptLoginServer(o: { username: string; password: string; token: string }): Promise<LoginServer> {
  const counter = { posts: 0 };
  return listen((req, res, body) => {
    const json = (status: number, v: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    if (req.url === '/api/login') {
      counter.posts++;
      const b = JSON.parse(body || '{}') as { u?: string; p?: string };
      return b.u === o.username && b.p === o.password ? json(200, { token: o.token }) : json(401, { error: 'no' });
    }
    if (req.url === '/api/me') return req.headers.authorization === `Bearer ${o.token}` ? json(200, { user: o.username }) : json(401, { error: 'who' });
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(APP);
  }, counter);
}
