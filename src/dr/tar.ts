import { gunzipSync } from 'node:zlib';

// Proves a (gzipped) tarball reads end to end before anything is restored
// from it: PGlite's loader fails on a truncated archive with an error that
// escapes its promise, so the archive is walked here first.

export interface TarSummary {
  entries: number;
  bytes: number;
}

function octal(buf: Buffer, start: number, len: number): number {
  const field = buf.subarray(start, start + len);
  if (field[0] !== undefined && (field[0] & 0x80) !== 0) {
    // base-256 (GNU) for sizes over 8 GiB
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] ?? 0);
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text ? parseInt(text, 8) : 0;
}

function headerChecksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === stored;
}

/** Throws with the reason when the archive is truncated or damaged. */
export function verifyTarball(data: Uint8Array): TarSummary {
  let buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new Error(`gzip stream does not read: ${(err as Error).message}`, { cause: err });
    }
  }
  let offset = 0;
  let entries = 0;
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return { entries, bytes: buf.length }; // end-of-archive marker
    if (!headerChecksumOk(header)) throw new Error(`tar header at byte ${offset} has a bad checksum`);
    const size = octal(header, 124, 12);
    const dataBlocks = Math.ceil(size / 512) * 512;
    if (offset + 512 + size > buf.length) {
      const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
      throw new Error(`tar member "${name}" is cut short (${buf.length - offset - 512} of ${size} bytes)`);
    }
    offset += 512 + dataBlocks;
    entries++;
  }
  if (entries === 0) throw new Error('not a tar archive (no entries)');
  // Some writers omit the zero blocks; every member read whole, so accept.
  return { entries, bytes: buf.length };
}
