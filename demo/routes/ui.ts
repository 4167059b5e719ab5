import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnTo, type SessionUser } from '../auth.ts';
import { bearerOrCookie, currentUser, effectiveFlags, sessionCookie, type DemoContext } from '../context.ts';
import { createProject, getProject, latestRender, latestScript, listProjects } from '../store.ts';
import { esc, layout } from '../ui/html.ts';
import { canEditProject, canWrite, login } from './api.ts';

const html = (reply: FastifyReply, status: number, page: string): FastifyReply => reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(page);

function loginPage(ctx: DemoContext, o: { returnTo?: string; error?: string; email?: string; notice?: string }): string {
  // Fault broken-login: a type="button" with no other submit control, so neither click nor Enter submits.
  const submitType = ctx.faults.has('broken-login') ? 'button' : 'submit';
  return layout({
    title: 'Sign in', version: ctx.reportedVersion, testid: 'page-login',
    body: `<h1>Sign in</h1>
${o.notice ? `<p class="notice" data-testid="logged-out-notice">${esc(o.notice)}</p>` : ''}
${o.error ? `<p class="error" role="alert" data-testid="login-error">${esc(o.error)}</p>` : ''}
<form method="post" action="/login" data-testid="login-form">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required data-testid="login-email" value="${esc(o.email ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required data-testid="login-password">
  <input type="hidden" name="returnTo" value="${esc(o.returnTo ?? '')}">
  <button type="${submitType}" data-testid="login-submit">Sign in</button>
</form>`,
  });
}

function forbiddenPage(ctx: DemoContext, user: SessionUser): string {
  return layout({ title: 'Forbidden', user, version: ctx.reportedVersion, testid: 'page-forbidden', body: '<h1 data-testid="forbidden">403 — you do not have access to this page</h1>' });
}

export function registerUiRoutes(app: FastifyInstance, ctx: DemoContext): void {
  /** Protected pages: the user, or a redirect to /login?returnTo=<this path>. */
  const pageUser = (req: FastifyRequest, reply: FastifyReply): SessionUser | undefined => {
    const user = currentUser(ctx, req);
    if (!user) void reply.redirect(`/login?returnTo=${encodeURIComponent(req.url)}`, 302);
    return user;
  };

  app.get('/', async (req, reply) => {
    const user = currentUser(ctx, req);
    const cta = user
      ? '<a class="button" href="/projects" data-testid="home-projects-link">Open your projects</a>'
      : '<a class="button" href="/login" data-testid="home-login-link">Sign in</a>';
    return html(reply, 200, layout({
      title: 'Home', user, version: ctx.reportedVersion, testid: 'page-home',
      body: `<h1 data-testid="home-title">AI Film Studio</h1>
<p data-testid="home-tagline">Upload a script, get a storyboard. Staging environment.</p>
${cta}`,
    }));
  });

  app.get('/login', async (req, reply) => {
    const q = req.query as { returnTo?: string; loggedOut?: string };
    return html(reply, 200, loginPage(ctx, { returnTo: safeReturnTo(q.returnTo), notice: q.loggedOut ? 'You have been signed out.' : undefined }));
  });

  app.post('/login', async (req, reply) => {
    const body = (req.body ?? {}) as { email?: unknown; password?: unknown; returnTo?: unknown };
    const returnTo = safeReturnTo(body.returnTo);
    const email = typeof body.email === 'string' ? body.email : '';
    const out = await login(ctx, email, body.password);
    if (!out.ok) {
      if (out.status === 429) reply.header('Retry-After', String(out.retryAfter ?? 60));
      const error = out.status === 429 ? 'Too many failed attempts. Try again later.' : 'Invalid email or password.';
      return html(reply, out.status, loginPage(ctx, { returnTo, error, email }));
    }
    reply.setCookie('sid', out.token, sessionCookie(ctx));
    return reply.redirect(returnTo ?? '/projects', 303);
  });

  app.get('/logout', async (req, reply) => {
    ctx.sessions.destroy(bearerOrCookie(req));
    reply.clearCookie('sid', { path: '/' });
    return reply.redirect('/login?loggedOut=1', 303);
  });

  app.get('/projects', async (req, reply) => {
    const user = pageUser(req, reply);
    if (!user) return reply;
    const projects = await listProjects(ctx.db);
    const items = projects.map((p) => `<li data-testid="project-item" data-project-id="${p.id}"><a href="/projects/${p.id}" data-testid="project-link">${esc(p.title)}</a></li>`).join('\n');
    const create = user.role === 'viewer' ? '' : `<form method="post" action="/projects" class="inline" data-testid="new-project-form">
  <label for="title">Title</label>
  <input id="title" name="title" required maxlength="200" data-testid="new-project-title">
  <button type="submit" data-testid="new-project-button">New project</button>
</form>`;
    return html(reply, 200, layout({
      title: 'Projects', user, version: ctx.reportedVersion, testid: 'page-projects',
      body: `<h1>Projects</h1>\n${create}\n<ul data-testid="project-list">\n${items}\n</ul>`,
    }));
  });

  app.post('/projects', async (req, reply) => {
    const user = pageUser(req, reply);
    if (!user) return reply;
    if (!canWrite(ctx, user)) return html(reply, 403, forbiddenPage(ctx, user));
    const title = String((req.body as { title?: unknown } | undefined)?.title ?? '').trim();
    if (!title || title.length > 200) return reply.redirect('/projects', 303);
    const p = await createProject(ctx.db, title, user.id);
    return reply.redirect(`/projects/${p.id}`, 303);
  });

  app.get('/projects/:id', async (req, reply) => {
    const user = pageUser(req, reply);
    if (!user) return reply;
    const raw = (req.params as { id: string }).id;
    const project = /^\d{1,9}$/.test(raw) ? await getProject(ctx.db, Number(raw)) : undefined;
    if (!project) return html(reply, 404, layout({ title: 'Not found', user, version: ctx.reportedVersion, testid: 'page-not-found', body: '<h1 data-testid="not-found">Project not found</h1>' }));
    const editable = canEditProject(user, project.ownerId);
    // Fault flaky-ui: the first editable load of each project page per process is broken.
    const flaky = editable && ctx.faults.has('flaky-ui') && !ctx.flakySeen.has(project.id);
    if (flaky) ctx.flakySeen.add(project.id);
    const script = await latestScript(ctx.db, project.id);
    const render = await latestRender(ctx.db, project.id);
    const scriptStatus = script ? `Latest script: ${esc(script.filename ?? 'pasted text')} (${script.bytes} bytes)` : 'No script yet.';
    const controls = !editable
      ? '<p class="notice" data-testid="read-only-notice">Read-only: you cannot change this project.</p>'
      : `<section data-testid="upload-section">
  <h2>Script</h2>
  <label for="script-file">Script file</label>
  <input id="script-file" type="file" name="script" accept=".txt,.fountain,text/plain" data-testid="script-upload">
  <button type="button" data-testid="script-upload-button">Upload script</button>
</section>
<section data-testid="render-section">
  <h2>Storyboard</h2>
  ${flaky
    ? '<div class="error" role="alert" data-testid="page-error">The render service failed to load. Reload the page.</div>'
    : '<button type="button" data-testid="render-button">Request storyboard render</button>'}
</section>`;
    const renderPanel = `<div data-testid="render-panel"${render ? '' : ' hidden'}>
  <progress max="100" value="${render?.progress ?? 0}" data-testid="render-progress"></progress>
  <span data-testid="render-percent">${render?.progress ?? 0}%</span>
  <span data-testid="render-status">${esc(render?.status ?? '')}</span>
  <a data-testid="render-result-link" href="${render?.status === 'done' ? `/api/renders/${render.id}/result` : '#'}"${render?.status === 'done' ? '' : ' hidden'}>Open storyboard</a>
</div>`;
    return html(reply, 200, layout({
      title: project.title, user, version: ctx.reportedVersion, testid: 'page-project',
      data: { 'project-id': project.id, ...(render && render.status !== 'done' && render.status !== 'failed' ? { 'render-id': render.id } : {}) },
      body: `<h1 data-testid="project-title">${esc(project.title)}</h1>
<p data-testid="script-status">${scriptStatus}</p>
${controls}
${renderPanel}`,
    }));
  });

  app.get('/admin/flags', async (req, reply) => {
    const user = pageUser(req, reply);
    if (!user) return reply;
    if (user.role !== 'admin') return html(reply, 403, forbiddenPage(ctx, user));
    const { environment, flags } = effectiveFlags(ctx);
    const rows = Object.entries(flags).map(([name, f]) => `<tr data-testid="flag-row" data-flag="${esc(name)}"><td data-testid="flag-name">${esc(name)}</td><td data-testid="flag-enabled">${f.enabled ? 'on' : 'off'}</td><td data-testid="flag-experimental">${f.experimental ? 'yes' : 'no'}</td></tr>`).join('\n');
    return html(reply, 200, layout({
      title: 'Feature flags', user, version: ctx.reportedVersion, testid: 'page-admin-flags',
      body: `<h1>Feature flags (<span data-testid="flags-environment">${esc(environment)}</span>)</h1>
<table data-testid="flags-table"><thead><tr><th>Flag</th><th>Enabled</th><th>Experimental</th></tr></thead>
<tbody>
${rows}
</tbody></table>`,
    }));
  });
}
