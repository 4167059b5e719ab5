// Small helpers shared by the ways of signing in.

const PASSWORDISH = /pass|secret|token|credential|csrf|xsrf/i;

export function pickJson(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

/** A login path on `base`, or an absolute URL; `{username}` is replaced (URL-encoded). */
export function resolveUrl(url: string, base: string, username?: string): string {
  const filled = username === undefined ? url : url.replaceAll('{username}', encodeURIComponent(username));
  if (/^https?:\/\//.test(filled)) return filled;
  return new URL(filled.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`).toString();
}

export function stringify(fields: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
}

/** Blank password- and token-like fields of a JSON or form body before anything else sees it. */
export function blankSecrets(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return JSON.stringify(Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, PASSWORDISH.test(k) ? '[REDACTED]' : v])));
    }
    return body;
  } catch {
    if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(body)) {
      const p = new URLSearchParams(body);
      for (const k of [...p.keys()]) if (PASSWORDISH.test(k)) p.set(k, '[REDACTED]');
      return p.toString();
    }
    return body;
  }
}
