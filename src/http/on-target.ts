// Requests stay on the target: a redirect, a link or a probe may lead only to
// the target's own hosts (any scheme or port of the host of a configured URL:
// `http://h` upgrading to `https://h` is the target's own answer) and the
// environment's allowedHosts. Anything else is the answer, recorded and not
// followed: from a CI runner, following a hostile redirect is a server-side
// request (a cloud metadata address fetched into the report), and a
// compromised host could borrow a well-configured site's grade.

/** `host` or `host:port`; `*.example.com` matches subdomains. Loopback gets no exemption. */
export function hostAllowed(url: string, allowedHosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((raw) => {
    const entry = raw.trim().toLowerCase();
    // `[::1]:3000` or `::1` (bare IPv6, no port) or `host:port` or `host`.
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    const bareV6 = !bracket && (entry.match(/:/g) ?? []).length > 1;
    const hp = bracket ? [bracket[1], bracket[2]] : bareV6 ? [entry, undefined] : entry.split(':');
    const h = hp[0] ?? '';
    const p = hp[1];
    if (p && p !== port) return false;
    if (h.startsWith('*.')) return host.endsWith(h.slice(1)) && host.length > h.length - 1;
    return h === host;
  });
}

/** The policy for one run: whether a URL is on the target. */
export function onTarget(targetUrls: readonly string[], allowedHosts: readonly string[]): (url: string) => boolean {
  const hosts = new Set(targetUrls.map((u) => new URL(u).hostname.toLowerCase()));
  return (url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    return hosts.has(u.hostname.toLowerCase()) || hostAllowed(url, allowedHosts);
  };
}

/** A request the policy refused: never sent. */
export class OffTargetError extends Error {
  override readonly name = 'OffTargetError';
  constructor(readonly url: string) {
    super(`not followed: ${originOf(url)} is not the target nor on environment.allowedHosts`);
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}
