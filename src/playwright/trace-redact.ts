import { unzipSync, zipSync, type Zippable } from 'fflate';
import type { Redactor } from '../core/redact.ts';
import { decodeText, harvestSecrets, redactJson, redactTextBody } from './redact-json.ts';

// A Playwright trace is a zip of JSON-lines event files (actions with their
// parameters, network snapshots with headers and cookies) and resources
// (request and response bodies, DOM snapshots, screenshots). Every text entry
// is rewritten through the redactor before the trace reaches the run folder.

function parseLines(text: string): unknown[] | undefined {
  const out: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Learn session tokens and cookie values seen anywhere in the archive, so they are redacted everywhere. */
export function harvestZipSecrets(entries: Record<string, Uint8Array>, found: Set<string>): void {
  for (const bytes of Object.values(entries)) {
    const text = decodeText(bytes);
    if (text === undefined) continue;
    const lines = parseLines(text);
    if (lines) for (const v of lines) harvestSecrets(v, found);
  }
}

export function redactZipEntries(entries: Record<string, Uint8Array>, redactor: Redactor): Zippable {
  const out: Zippable = {};
  for (const [name, bytes] of Object.entries(entries)) {
    const text = decodeText(bytes);
    if (text === undefined) {
      out[name] = bytes; // images: no text to leak
      continue;
    }
    const lines = /\.(?:trace|network|stacks|jsonl)$/.test(name) ? parseLines(text) : undefined;
    const redacted = lines
      ? lines.map((v) => JSON.stringify(redactJson(v, redactor))).join('\n') + '\n'
      : redactTextBody(text, redactor);
    out[name] = Buffer.from(redacted, 'utf8');
  }
  return out;
}

/**
 * Returns the trace with every secret redacted. Tokens found inside the trace
 * are added to the redactor (they are secrets of this run from now on).
 */
export function redactTraceZip(zip: Uint8Array, redactor: Redactor): Uint8Array {
  const entries = unzipSync(zip);
  const found = new Set<string>();
  harvestZipSecrets(entries, found);
  for (const v of found) redactor.addSecret('session', v);
  return zipSync(redactZipEntries(entries, redactor), { level: 6 });
}
