import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { verifyTarball } from './tar.ts';

function header(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function tarOf(files: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, body] of Object.entries(files)) {
    const data = Buffer.from(body);
    parts.push(header(name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe('verifyTarball', () => {
  const tar = tarOf({ 'PG_VERSION': '15\n', 'base/1/1259': 'x'.repeat(3000) });

  it('reads a whole tarball, plain or gzipped', () => {
    expect(verifyTarball(tar).entries).toBe(2);
    expect(verifyTarball(gzipSync(tar)).entries).toBe(2);
  });

  it('rejects a truncated gzip stream', () => {
    const gz = gzipSync(tar);
    expect(() => verifyTarball(gz.subarray(0, Math.floor(gz.length * 0.6)))).toThrow(/gzip/);
  });

  it('rejects a member cut short', () => {
    expect(() => verifyTarball(tar.subarray(0, 512 + 512 + 512 + 1000))).toThrow(/cut short/);
  });

  it('rejects a damaged header', () => {
    const bad = Buffer.from(tar);
    bad[0] = 'Q'.charCodeAt(0);
    expect(() => verifyTarball(bad)).toThrow(/checksum/);
  });

  it('rejects data that is not a tarball', () => {
    expect(() => verifyTarball(Buffer.alloc(10))).toThrow(/not a tar/);
  });
});
