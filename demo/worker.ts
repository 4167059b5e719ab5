import type { Db } from './db.ts';
import type { DemoMetrics } from './metrics.ts';

export interface WorkerOptions {
  db: Db;
  metrics: DemoMetrics;
  renderMs: number;
  /** Fault render-stuck: running jobs never pass this progress. */
  stuckAt?: number;
  tickMs?: number;
  onError?: (err: unknown) => void;
}

interface RunningRow { id: number; project_id: number; started_at: Date | string }

/** In-process render worker: queued → running → done, progress by elapsed time. */
export class RenderWorker {
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  lastBeat = 0;

  constructor(private readonly o: WorkerOptions) {}

  start(): void {
    this.lastBeat = Date.now();
    this.timer = setInterval(() => void this.tick(), this.o.tickMs ?? 150);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    while (this.busy) await new Promise((r) => setTimeout(r, 20));
  }

  /** Alive when a tick finished recently. */
  healthy(maxAgeMs = 5000): boolean {
    return this.timer !== undefined && Date.now() - this.lastBeat < maxAgeMs;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { db, metrics } = this.o;
      const started = await db.query<{ id: number }>("update render_jobs set status = 'running', started_at = now() where status = 'queued' returning id");
      if (started.length) metrics.renderJobs.inc({ status: 'running' }, started.length);
      const running = await db.query<RunningRow>("select id, project_id, started_at from render_jobs where status = 'running'");
      for (const job of running) {
        const elapsed = Date.now() - new Date(job.started_at).getTime();
        let progress = Math.min(100, Math.floor((elapsed / this.o.renderMs) * 100));
        if (this.o.stuckAt !== undefined) progress = Math.min(progress, this.o.stuckAt);
        if (progress >= 100) {
          const result = await this.storyboard(job.project_id);
          await db.query("update render_jobs set status = 'done', progress = 100, result = $2, finished_at = now() where id = $1", [job.id, JSON.stringify(result)]);
          metrics.renderJobs.inc({ status: 'done' });
        } else {
          await db.query('update render_jobs set progress = greatest(progress, $2) where id = $1', [job.id, progress]);
        }
      }
      this.lastBeat = Date.now();
      metrics.workerHeartbeat.set(this.lastBeat / 1000);
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.busy = false;
    }
  }

  /** A storyboard: one panel per non-empty line of the latest script (or a placeholder). */
  private async storyboard(projectId: number): Promise<{ projectId: number; panels: Array<{ n: number; caption: string }> }> {
    const [script] = await this.o.db.query<{ content: string }>('select content from scripts where project_id = $1 order by id desc limit 1', [projectId]);
    const lines = (script?.content ?? 'FADE IN.\nA quiet studio.\nFADE OUT.').split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, 12);
    return { projectId, panels: lines.map((caption, i) => ({ n: i + 1, caption: caption.slice(0, 200) })) };
  }
}
