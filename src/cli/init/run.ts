import { existsSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile, mkdir, appendFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { probeTarget, type ProbeFindings } from './probe.ts';
import { initFiles, PLACEHOLDER_URL, type InitAnswers } from './templates.ts';

export interface RunInitOptions {
  cwd: string;
  baseUrl?: string;
  env?: string;
  dir?: string;
  yes?: boolean;
  force?: boolean;
  probe?: boolean;
  /** Where the questions are asked; default: the terminal (stdin/stderr) when stdin is one. */
  prompt?: { input: NodeJS.ReadableStream; output: NodeJS.WritableStream };
}

function projectName(cwd: string): string {
  try {
    const name = (JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  } catch {
    // no package.json: the folder's name
  }
  return basename(cwd) || 'app';
}

async function ask(o: RunInitOptions): Promise<RunInitOptions> {
  const output = o.prompt?.output ?? process.stderr;
  const rl = createInterface({ input: o.prompt?.input ?? process.stdin, crlfDelay: Infinity });
  // Lines are read through the iterator, which buffers them: an answer typed (or piped) ahead is not lost.
  const lines = rl[Symbol.asyncIterator]();
  try {
    const q = async (label: string, fallback?: string): Promise<string | undefined> => {
      output.write(`${label}${fallback ? ` (${fallback})` : ''}: `);
      const next = await lines.next();
      const answer = next.done ? '' : String(next.value).trim();
      return answer || fallback;
    };
    const baseUrl = await q('URL of the environment to verify', o.baseUrl);
    const env = await q('environment name', o.env ?? 'staging');
    const dir = await q('folder for specs and scenarios', o.dir ?? 'pdv');
    return { ...o, ...(baseUrl ? { baseUrl } : {}), ...(env ? { env } : {}), ...(dir ? { dir } : {}) };
  } finally {
    rl.close();
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
  } catch {
    return false;
  }
}

function checkInputs(o: RunInitOptions): InitAnswers {
  if (o.baseUrl !== undefined && !isHttpUrl(o.baseUrl)) {
    // Never echo credentials written into the URL.
    const shown = o.baseUrl.replace(/\/\/[^/@]*@/, '//…@');
    throw new UsageError(`"${shown}" is not an absolute http(s) URL without credentials (the config takes roles' passwords from env vars)`, '--base-url');
  }
  const environment = o.env ?? 'staging';
  if (!/^[a-z][a-z0-9_-]*$/.test(environment)) throw new UsageError(`"${environment}" is not an environment name (a-z, 0-9, _ -)`, '--env');
  const dir = normalize(o.dir ?? 'pdv').replace(/\/+$/, '');
  if (isAbsolute(dir) || dir.startsWith('..') || !/^[\w./-]+$/.test(dir)) throw new UsageError(`"${o.dir}" must be a folder inside this repo`, '--dir');
  return { project: projectName(o.cwd), environment, dir, ...(o.baseUrl ? { baseUrl: o.baseUrl.replace(/\/+$/, '') } : {}) };
}

function describe(f: ProbeFindings): string[] {
  const lines = [`probed ${f.baseUrl} (${f.requests} GET request${f.requests === 1 ? '' : 's'}):`];
  if (f.root.error) return [...lines, `  / did not answer (${f.root.error}); nothing pre-filled`];
  lines.push(`  /: ${f.root.status}`);
  lines.push(f.health ? `  health: ${f.health.path} → ${f.health.status}${f.health.json ? ` ${JSON.stringify(f.health.json)}` : ''}` : '  health: none of the common paths answered 2xx');
  lines.push(f.version ? `  version: ${f.version.path} → ${f.version.field} ${JSON.stringify(f.version.value)}` : '  version: none found');
  lines.push(`  HTTPS: ${f.https ? 'on' : 'off'}; HSTS: ${f.hsts ? 'on' : 'off'}; header grade: ${f.grade ?? 'n/a'} (the starting minimum)`);
  return lines;
}

/** Scaffold pdv in `cwd`. Refuses (exit 3, nothing written) when a file exists and --force is not given. */
export async function runInit(io: CliIo, o: RunInitOptions): Promise<void> {
  const interactive = !o.yes && (o.prompt !== undefined || process.stdin.isTTY === true);
  const answers = checkInputs(interactive ? await ask(o) : o);
  const files = initFiles(answers);
  const existing = files.filter((f) => existsSync(join(o.cwd, f.path))).map((f) => f.path);
  if (existing.length && !o.force) throw new UsageError(`${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to overwrite`, 'pdv init');

  let findings: ProbeFindings | undefined;
  if (answers.baseUrl && o.probe !== false) {
    findings = await probeTarget(answers.baseUrl);
    for (const line of describe(findings)) io.info(line);
    if (findings.root.error) findings = undefined;
  }
  const final = initFiles(answers, findings);

  // Every file is written beside its place first and renamed once all are written: no half scaffold.
  const staged: Array<{ tmp: string; file: string }> = [];
  try {
    for (const f of final) {
      const file = join(o.cwd, f.path);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.pdv-init-${process.pid}`;
      await writeFile(tmp, f.content, { flag: 'wx' });
      staged.push({ tmp, file });
    }
    for (const s of staged) await rename(s.tmp, s.file);
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
    throw err;
  }
  const gitignore = join(o.cwd, '.gitignore');
  const ignored = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
  if (!ignored.split(/\r?\n/).some((l) => /^\/?reports\/?$/.test(l.trim()))) {
    await appendFile(gitignore, `${ignored && !ignored.endsWith('\n') ? '\n' : ''}# pdv run reports\nreports/\n`);
    io.info('added reports/ to .gitignore');
  }
  for (const f of final) io.info(`wrote ${f.path}`);
  if (!answers.baseUrl) io.info(`set environments.${answers.environment}.baseUrl in pdv.config.ts (now ${PLACEHOLDER_URL}), or pass --base-url to pdv verify`);
  io.info('next: npx pdv verify');
}
