import { readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { writeFileAtomic } from '../platform/fs.ts';
import type { Redactor } from '../core/redact.ts';
import type { Artifact, CheckResult, Evidence } from '../core/types.ts';
import type { BridgeAttachment } from './protocol.ts';
import { decodeText, redactTextBody } from './redact-json.ts';
import { redactTraceZip } from './trace-redact.ts';
import { slug } from './tags.ts';

// Screenshots and traces of a failed (or flaky) check are copied from
// Playwright's scratch folder into `<runDir>/<stage>/<check>/`, traces
// redacted on the way, and attached to the check with run-relative paths.

const KEEP = new Set(['screenshot', 'trace']);

export interface CopiedEvidence {
  evidence: Evidence[];
  artifacts: Artifact[];
  /** Attachments that could not be copied (the check keeps its status; the message says so). */
  missing: string[];
}

export async function copyEvidence(opts: {
  check: CheckResult;
  attachments: BridgeAttachment[];
  runDir: string;
  /** Folder under runDir, e.g. `uat` or `dr/smoke`. */
  folder: string;
  redactor: Redactor;
}): Promise<CopiedEvidence> {
  const { check, runDir, redactor } = opts;
  const out: CopiedEvidence = { evidence: [], artifacts: [], missing: [] };
  if (check.status === 'passed' || check.status === 'skipped') return out;
  const dir = join(runDir, opts.folder, slug(check.id.split('.').slice(1).join('-')) || 'check');
  const counts = new Map<string, number>();
  for (const a of opts.attachments) {
    if (!KEEP.has(a.name)) continue;
    const n = (counts.get(`${a.name}${a.retry}`) ?? 0) + 1;
    counts.set(`${a.name}${a.retry}`, n);
    const ext = extname(a.path) || (a.name === 'trace' ? '.zip' : '.png');
    const file = join(dir, `attempt-${a.retry + 1}-${a.name}${n > 1 ? `-${n}` : ''}${ext}`);
    try {
      const bytes = await readFile(a.path);
      await writeFileAtomic(file, redactAttachment(a, bytes, redactor));
    } catch (err) {
      out.missing.push(`${a.name} (attempt ${a.retry + 1}): ${(err as Error).message}`);
      continue;
    }
    const path = relative(runDir, file);
    const kind = a.name === 'trace' ? 'trace' : 'screenshot';
    out.evidence.push({ kind: 'file', label: `${kind} (attempt ${a.retry + 1})`, path, contentType: a.contentType });
    out.artifacts.push({ stage: check.stage, name: `${check.id} ${kind} attempt ${a.retry + 1}`, path, kind });
  }
  return out;
}

function redactAttachment(a: BridgeAttachment, bytes: Buffer, redactor: Redactor): Uint8Array {
  if (a.name === 'trace' || a.contentType === 'application/zip') return redactTraceZip(bytes, redactor);
  if (a.contentType.startsWith('image/')) return bytes; // pixels only; PNG text chunks are not written by Playwright
  const text = decodeText(bytes);
  return text === undefined ? bytes : Buffer.from(redactTextBody(text, redactor), 'utf8');
}
