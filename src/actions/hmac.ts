import { createHmac, timingSafeEqual } from 'node:crypto';

// Webhook signing, the way GitHub signs its deliveries: HMAC-SHA256 of the
// raw request body with a shared secret, hex, prefixed "sha256=". The body
// carries `sentAt` and `deliveryId`, so a receiver can refuse replays.

export const SIGNATURE_HEADER = 'X-Pdv-Signature';

export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a received signature header against the raw body. */
export function verifySignature(secret: string, body: string | Buffer, header: string | undefined | null): boolean {
  if (!header || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
