import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from './db.ts';
import type { FaultSet } from './faults.ts';
import type { DemoMetrics } from './metrics.ts';
import type { LoginLimiter, Sessions, SessionUser } from './auth.ts';
import type { RenderWorker } from './worker.ts';
import type { DemoLog } from './log.ts';

export interface Release { version: string; previousVersion: string; commit: string; builtAt: string }

export interface FlagsFile { environment: string; flags: Record<string, { enabled: boolean; experimental: boolean }> }

/** Everything a route needs; passed explicitly (no module-level state). */
export interface DemoContext {
  db: Db;
  faults: FaultSet;
  metrics: DemoMetrics;
  sessions: Sessions;
  limiter: LoginLimiter;
  worker: RenderWorker;
  log: DemoLog;
  release: Release;
  /** The version this process reports (already swapped by stale-version). */
  reportedVersion: string;
  flags: FlagsFile;
  /** When the server started listening (slow-start, latency-drift). */
  readyAt: number;
  env: NodeJS.ProcessEnv;
  /** Project ids whose page was served once (fault flaky-ui). */
  flakySeen: Set<number>;
}

export function bearerOrCookie(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return req.cookies.sid;
}

export function currentUser(ctx: DemoContext, req: FastifyRequest): SessionUser | undefined {
  return ctx.sessions.get(bearerOrCookie(req));
}

export function sendJsonError(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error });
}

export function sessionCookie(ctx: DemoContext): { path: string; httpOnly: boolean; secure: boolean; sameSite: 'lax'; maxAge: number } {
  const weak = ctx.faults.has('weak-session-cookie');
  return { path: '/', httpOnly: !weak, secure: !weak, sameSite: 'lax', maxAge: 8 * 3600 };
}

/** Staging flags as served (fault flag-drift enables an experimental one). */
export function effectiveFlags(ctx: DemoContext): FlagsFile {
  const flags = structuredClone(ctx.flags.flags);
  const drifted = flags['ai-voiceover-beta'];
  if (ctx.faults.has('flag-drift') && drifted) drifted.enabled = true;
  return { environment: ctx.flags.environment, flags };
}
