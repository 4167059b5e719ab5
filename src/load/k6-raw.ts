import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { UsageError } from '../core/errors.ts';
import { Recorder } from './recorder.ts';

// k6's raw output (`k6 run --out json=pod-1.json`, optionally .gz): one JSON
// object per line, `{"type":"Metric"|"Point","metric":NAME,"data":{…}}`; a
// Point has `time`, `value` (ms for time metrics) and `tags`. Every
// http_req_duration sample goes into pdv's HDR histograms, keyed like a native
// run (scenario, name, expected_response), so the pods of a k6-operator run add
// exactly and thresholds are judged on all of them — which per-pod summaries
// cannot give (k6-operator #812). k6 measures each request from its own write,
// not from an intended start: the figures are k6's, uncorrected.

interface Point {
  type: 'Point';
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> | null };
}

const SNIFF_BYTES = 4096;

/** True when the file's first line is a k6 JSON output line (Metric or Point); gzip is sniffed by its magic bytes. */
export function isK6RawFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    if (n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return /\.json\.gz$|\.gz$/.test(file);
    const first = buf.subarray(0, n).toString('utf8').split('\n')[0] ?? '';
    return isLine(JSON.parse(first));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function isLine(v: unknown): boolean {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (o.type === 'Metric' || o.type === 'Point') && typeof o.metric === 'string' && !!o.data && typeof o.data === 'object';
}

function lines(file: string): AsyncIterable<string> {
  let stream: Readable = createReadStream(file);
  if (file.endsWith('.gz')) stream = stream.pipe(createGunzip());
  return createInterface({ input: stream, crlfDelay: Infinity });
}

function parsePoint(line: string, where: string): Point | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    throw new UsageError(`not a k6 JSON output line: ${err instanceof Error ? err.message : String(err)}`, where);
  }
  if (!isLine(v)) throw new UsageError('not a k6 JSON output line (type Metric or Point, metric, data)', where);
  const p = v as Point;
  if (p.type !== 'Point') return undefined;
  if (typeof p.data.value !== 'number' || !Number.isFinite(Date.parse(p.data.time))) throw new UsageError('a Point needs a numeric value and an ISO time', where);
  return p;
}

/** Epoch ms of the file's first Point (the pods' earliest is the run's origin for the latency-over-time windows). */
async function firstTime(file: string): Promise<number> {
  let n = 0;
  for await (const line of lines(file)) {
    n++;
    if (!line.trim()) continue;
    const p = parsePoint(line, `${file}:${n}`);
    if (p) return Date.parse(p.data.time);
  }
  return Infinity;
}

export interface K6RawImport {
  recorder: Recorder;
  /** First to last sample over all files (ms). */
  elapsedMs: number;
  files: Array<{ file: string; requests: number; startEpochMs: number }>;
}

/** Read every pod's raw output into one recorder; a malformed line is a usage error naming file and line. */
export async function importK6Raw(files: string[], windowMs: number): Promise<K6RawImport> {
  const starts = await Promise.all(files.map(firstTime));
  const origin = Math.min(...starts);
  const rec = new Recorder(windowMs);
  let last = origin;
  const out: K6RawImport['files'] = [];
  for (const [i, file] of files.entries()) {
    let n = 0;
    let requests = 0;
    for await (const line of lines(file)) {
      n++;
      if (!line.trim()) continue;
      const p = parsePoint(line, `${file}:${n}`);
      if (!p) continue;
      const t = Date.parse(p.data.time);
      if (t > last) last = t;
      if (p.metric === 'http_req_duration') {
        requests++;
        add(rec, p, (t - origin) * 1000);
      } else if (p.metric === 'dropped_iterations') {
        const scenario = p.data.tags?.scenario ?? 'default';
        for (let k = 0; k < p.data.value; k++) rec.drop(scenario, '');
        rec.planned += p.data.value;
      }
    }
    out.push({ file, requests, startEpochMs: starts[i] as number });
  }
  return { recorder: rec, elapsedMs: Math.max(1, last - origin), files: out };
}

function add(rec: Recorder, p: Point, offsetUs: number): void {
  const tags = p.data.tags ?? {};
  const status = Number(tags.status ?? 0);
  // k6 tags expected_response from its responseCallback (2xx/3xx by default); an older k6 without the tag: judge by status.
  const expected = tags.expected_response !== undefined ? tags.expected_response === 'true' : status >= 200 && status < 400;
  const cell = rec.cell(tags.scenario ?? 'default', tags.name ?? tags.url ?? '', (tags.method ?? 'GET').toUpperCase(), expected);
  const us = p.data.value * 1000;
  rec.planned++;
  rec.sent++;
  rec.record(cell, Number.isFinite(status) ? status : 0, us, us, offsetUs);
}
