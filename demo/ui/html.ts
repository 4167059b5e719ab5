import type { SessionUser } from '../auth.ts';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

export interface PageOpts { title: string; user?: SessionUser; version: string; testid: string; body: string; data?: Record<string, string | number> }

/** The shared page shell. Scripts and styles are same-origin files (CSP has no 'unsafe-inline'). */
export function layout(o: PageOpts): string {
  const nav = o.user
    ? `<nav data-testid="nav">
        <a href="/projects" data-testid="nav-projects">Projects</a>
        ${o.user.role === 'admin' ? '<a href="/admin/flags" data-testid="nav-admin-flags">Flags</a>' : ''}
        <span class="who"><span data-testid="nav-user">${esc(o.user.email)}</span> (<span data-testid="nav-role">${esc(o.user.role)}</span>)</span>
        <a href="/logout" data-testid="logout-link">Sign out</a>
      </nav>`
    : '<nav data-testid="nav"><a href="/login" data-testid="nav-login">Sign in</a></nav>';
  const data = Object.entries(o.data ?? {}).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(o.title)} · AI Film Studio</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header data-testid="site-header"><a href="/" class="brand" data-testid="nav-home">AI Film Studio</a>${nav}</header>
<main data-testid="${esc(o.testid)}"${data}>
${o.body}
</main>
<footer data-testid="footer">staging · v<span data-testid="app-version">${esc(o.version)}</span></footer>
</body>
</html>
`;
}
