// Every value on the page may come from the target (a check message, a
// response body): escape all of it, and never let a link choose its scheme.

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Tagged template: interpolated values are escaped; wrap trusted HTML with raw(). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += (v instanceof Raw ? v.value : Array.isArray(v) ? v.map((x) => (x instanceof Raw ? x.value : esc(x))).join('') : esc(v)) + (strings[i + 1] ?? '');
  });
  return out;
}

export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(value: string): Raw {
  return new Raw(value);
}

/**
 * A relative path inside the run folder, or an http(s) URL. Anything else
 * (javascript:, data:, absolute paths, ..) becomes undefined: no link.
 */
export function safeHref(target: string | undefined): string | undefined {
  if (!target) return undefined;
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).href;
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/') || target.startsWith('\\') || target.startsWith('//')) return undefined;
  const parts = target.split(/[\\/]/);
  if (parts.some((p) => p === '..')) return undefined;
  return parts.map((p) => encodeURIComponent(p)).join('/');
}

export function isImage(path: string, contentType?: string): boolean {
  return (contentType?.startsWith('image/') ?? false) || /\.(?:png|jpe?g|gif|webp|svg)$/i.test(path);
}

/** A short id-safe token for DOM ids derived from arbitrary keys. */
export function domId(prefix: string, key: string): string {
  return `${prefix}-${key.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
}
