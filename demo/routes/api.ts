import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { verifyPassword, type Role, type SessionUser } from '../auth.ts';
import { bearerOrCookie, currentUser, sendJsonError, sessionCookie, type DemoContext } from '../context.ts';
import { sleep } from '../chaos.ts';
import { createProject, getProject, getRender, listProjects, queueRender, saveScript, type RenderRow } from '../store.ts';

const MAX_SCRIPT_BYTES = 1024 * 1024;

export type LoginOutcome = { ok: true; token: string; user: SessionUser } | { ok: false; status: 401 | 429; retryAfter?: number };

/** Shared by the API and the UI form: rate limit, verify, create a session. */
export async function login(ctx: DemoContext, username: unknown, password: unknown): Promise<LoginOutcome> {
  const name = typeof username === 'string' ? username.trim().toLowerCase() : '';
  const pw = typeof password === 'string' ? password : '';
  if (!ctx.faults.has('no-rate-limit')) {
    const retryAfter = ctx.limiter.retryAfter(name);
    if (retryAfter > 0) return { ok: false, status: 429, retryAfter };
  }
  const [row] = name ? await ctx.db.query<{ id: number; email: string; role: Role; password_hash: string }>('select id, email, role, password_hash from users where email = $1', [name]) : [];
  if (!row || !pw || !(await verifyPassword(pw, row.password_hash))) {
    ctx.limiter.fail(name);
    return { ok: false, status: 401 };
  }
  ctx.limiter.reset(name);
  const user: SessionUser = { id: row.id, email: row.email, role: row.role };
  const token = ctx.sessions.create(user);
  ctx.log.addSecret(token);
  return { ok: true, token, user };
}

export function canWrite(ctx: DemoContext, user: SessionUser): boolean {
  return user.role !== 'viewer' || ctx.faults.has('viewer-can-write');
}

/** Owner or admin may change a project. */
export function canEditProject(user: SessionUser, ownerId: number): boolean {
  return user.role === 'admin' || (user.role === 'editor' && user.id === ownerId);
}

export function renderJson(r: RenderRow): { id: number; status: string; progress: number; resultUrl?: string } {
  return { id: r.id, status: r.status, progress: r.progress, ...(r.status === 'done' ? { resultUrl: `/api/renders/${r.id}/result` } : {}) };
}

function idParam(req: FastifyRequest): number | undefined {
  const raw = (req.params as { id?: string }).id ?? '';
  return /^\d{1,9}$/.test(raw) ? Number(raw) : undefined;
}

export function registerApiRoutes(app: FastifyInstance, ctx: DemoContext): void {
  /** The project named by the `:id` route parameter, if it exists. */
  const projectOf = async (req: FastifyRequest) => {
    const id = idParam(req);
    return id === undefined ? undefined : getProject(ctx.db, id);
  };
  const needUser = (req: FastifyRequest, reply: FastifyReply): SessionUser | undefined => {
    const user = currentUser(ctx, req);
    if (!user) void sendJsonError(reply, 401, 'authentication required');
    return user;
  };

  app.post('/api/login', async (req, reply) => {
    const body = (req.body ?? {}) as { username?: unknown; email?: unknown; password?: unknown };
    const out = await login(ctx, body.username ?? body.email, body.password);
    if (!out.ok) {
      if (out.status === 429) reply.header('Retry-After', String(out.retryAfter ?? 60));
      return sendJsonError(reply, out.status, out.status === 429 ? 'too many failed logins' : 'invalid credentials');
    }
    reply.setCookie('sid', out.token, sessionCookie(ctx));
    return { token: out.token, user: out.user };
  });

  app.post('/api/logout', async (req, reply) => {
    ctx.sessions.destroy(bearerOrCookie(req));
    reply.clearCookie('sid', { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/me', async (req, reply) => {
    const user = needUser(req, reply);
    return user ? { user } : reply;
  });

  app.get('/api/projects', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    if (ctx.faults.has('slow-api')) await sleep(300);
    return { projects: await listProjects(ctx.db) };
  });

  app.post('/api/projects', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    if (!canWrite(ctx, user)) return sendJsonError(reply, 403, 'forbidden');
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title !== 'string' || !title.trim() || title.length > 200) return sendJsonError(reply, 400, 'title (1–200 characters) required');
    return reply.code(201).send(await createProject(ctx.db, title.trim(), user.id));
  });

  app.get('/api/projects/:id', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const project = await projectOf(req);
    return project ?? sendJsonError(reply, 404, 'not found');
  });

  app.post('/api/projects/:id/script', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const project = await projectOf(req);
    if (!project) return sendJsonError(reply, 404, 'not found');
    if (!canEditProject(user, project.ownerId)) return sendJsonError(reply, 403, 'forbidden');
    let content: string;
    let filename: string | null = null;
    if (req.isMultipart()) {
      const file = await req.file();
      if (!file || file.fieldname !== 'script') return sendJsonError(reply, 400, 'multipart field "script" required');
      const buf = await file.toBuffer();
      if (file.file.truncated) return sendJsonError(reply, 413, 'script too large');
      content = buf.toString('utf8');
      filename = file.filename || null;
    } else if (typeof req.body === 'string') {
      content = req.body;
    } else {
      return sendJsonError(reply, 415, 'send text/plain or multipart/form-data');
    }
    const bytes = Buffer.byteLength(content);
    if (bytes === 0) return sendJsonError(reply, 400, 'empty script');
    if (bytes > MAX_SCRIPT_BYTES) return sendJsonError(reply, 413, 'script too large');
    const scriptId = await saveScript(ctx.db, project.id, filename, content);
    return reply.code(201).send({ scriptId, bytes });
  });

  app.post('/api/projects/:id/renders', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const project = await projectOf(req);
    if (!project) return sendJsonError(reply, 404, 'not found');
    if (!canEditProject(user, project.ownerId)) return sendJsonError(reply, 403, 'forbidden');
    const kind = (req.body as { kind?: unknown } | undefined)?.kind ?? 'storyboard';
    if (kind !== 'storyboard') return sendJsonError(reply, 400, 'kind must be "storyboard"');
    const job = await queueRender(ctx.db, project.id, kind);
    ctx.metrics.renderJobs.inc({ status: 'queued' });
    return reply.code(202).send(renderJson(job));
  });

  app.get('/api/renders/:id', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const id = idParam(req);
    const job = id === undefined ? undefined : await getRender(ctx.db, id);
    return job ? renderJson(job) : sendJsonError(reply, 404, 'not found');
  });

  app.get('/api/renders/:id/result', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const id = idParam(req);
    const job = id === undefined ? undefined : await getRender(ctx.db, id);
    if (!job) return sendJsonError(reply, 404, 'not found');
    if (job.status !== 'done') return sendJsonError(reply, 409, `render is ${job.status}`);
    return { id: job.id, kind: job.kind, storyboard: job.result };
  });

  app.get('/api/users/:id/settings', async (req, reply) => {
    const user = needUser(req, reply);
    if (!user) return reply;
    const id = idParam(req);
    if (id === undefined) return sendJsonError(reply, 404, 'not found');
    if (user.id !== id && user.role !== 'admin') return sendJsonError(reply, 403, 'forbidden');
    const [row] = await ctx.db.query<{ settings: unknown }>('select settings from user_settings where user_id = $1', [id]);
    return row ? { userId: id, settings: row.settings } : sendJsonError(reply, 404, 'not found');
  });
}
