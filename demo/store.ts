import type { Db } from './db.ts';

export interface Project { id: number; title: string; ownerId: number; createdAt: string }
export interface RenderRow { id: number; projectId: number; kind: string; status: 'queued' | 'running' | 'done' | 'failed'; progress: number; result: unknown }

interface ProjectRow { id: number; title: string; owner_id: number; created_at: Date | string }
interface RenderDbRow { id: number; project_id: number; kind: string; status: RenderRow['status']; progress: number; result: unknown }

const iso = (d: Date | string): string => new Date(d).toISOString();
const toProject = (r: ProjectRow): Project => ({ id: r.id, title: r.title, ownerId: r.owner_id, createdAt: iso(r.created_at) });
const toRender = (r: RenderDbRow): RenderRow => ({ id: r.id, projectId: r.project_id, kind: r.kind, status: r.status, progress: r.progress, result: r.result });

export async function listProjects(db: Db): Promise<Project[]> {
  return (await db.query<ProjectRow>('select id, title, owner_id, created_at from projects order by id')).map(toProject);
}

export async function getProject(db: Db, id: number): Promise<Project | undefined> {
  const [row] = await db.query<ProjectRow>('select id, title, owner_id, created_at from projects where id = $1', [id]);
  return row ? toProject(row) : undefined;
}

export async function createProject(db: Db, title: string, ownerId: number): Promise<Project> {
  const [row] = await db.query<ProjectRow>('insert into projects (title, owner_id) values ($1, $2) returning id, title, owner_id, created_at', [title, ownerId]);
  if (!row) throw new Error('insert returned no row');
  return toProject(row);
}

export async function saveScript(db: Db, projectId: number, filename: string | null, content: string): Promise<number> {
  const [row] = await db.query<{ id: number }>('insert into scripts (project_id, filename, content, bytes) values ($1, $2, $3, $4) returning id', [projectId, filename, content, Buffer.byteLength(content)]);
  if (!row) throw new Error('insert returned no row');
  return row.id;
}

export async function latestScript(db: Db, projectId: number): Promise<{ id: number; filename: string | null; bytes: number } | undefined> {
  const [row] = await db.query<{ id: number; filename: string | null; bytes: number }>('select id, filename, bytes from scripts where project_id = $1 order by id desc limit 1', [projectId]);
  return row;
}

export async function queueRender(db: Db, projectId: number, kind: string): Promise<RenderRow> {
  const [row] = await db.query<RenderDbRow>("insert into render_jobs (project_id, kind, status, progress) values ($1, $2, 'queued', 0) returning id, project_id, kind, status, progress, result", [projectId, kind]);
  if (!row) throw new Error('insert returned no row');
  return toRender(row);
}

export async function getRender(db: Db, id: number): Promise<RenderRow | undefined> {
  const [row] = await db.query<RenderDbRow>('select id, project_id, kind, status, progress, result from render_jobs where id = $1', [id]);
  return row ? toRender(row) : undefined;
}

export async function latestRender(db: Db, projectId: number): Promise<RenderRow | undefined> {
  const [row] = await db.query<RenderDbRow>('select id, project_id, kind, status, progress, result from render_jobs where project_id = $1 order by id desc limit 1', [projectId]);
  return row ? toRender(row) : undefined;
}
