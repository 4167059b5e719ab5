// Set-Cookie → the cookie shape a browser's storageState takes.

export interface SessionCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  /** Unix seconds; -1 for a session cookie. */
  expires: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Strict' | 'Lax' | 'None';
}

export function parseSetCookie(header: string, host: string, now = Date.now()): SessionCookie | undefined {
  const [pair = '', ...attrs] = header.split(';');
  const i = pair.indexOf('=');
  if (i <= 0) return undefined;
  const cookie: SessionCookie = { name: pair.slice(0, i).trim(), value: pair.slice(i + 1).trim(), domain: host, path: '/', expires: -1, httpOnly: false, secure: false, sameSite: 'Lax' };
  for (const attr of attrs) {
    const [k = '', ...rest] = attr.split('=');
    const key = k.trim().toLowerCase();
    const v = rest.join('=').trim();
    if (key === 'domain' && v) cookie.domain = v.replace(/^\./, '');
    else if (key === 'path' && v) cookie.path = v;
    else if (key === 'httponly') cookie.httpOnly = true;
    else if (key === 'secure') cookie.secure = true;
    else if (key === 'samesite') cookie.sameSite = /^strict$/i.test(v) ? 'Strict' : /^none$/i.test(v) ? 'None' : 'Lax';
    else if (key === 'max-age' && /^-?\d+$/.test(v)) cookie.expires = Math.floor(now / 1000) + Number(v);
    else if (key === 'expires' && cookie.expires === -1) {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) cookie.expires = Math.floor(t / 1000);
    }
  }
  return cookie;
}
