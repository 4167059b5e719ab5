// Process-level fault behaviours (stall, memory-leak) and latency helpers.

export interface Stopper { stop(): void }

/** Fault stall: busy-wait the event loop for `freezeMs` every `everyMs`. */
export function startStall(everyMs = 5000, freezeMs = 1000): Stopper {
  const t = setInterval(() => {
    const until = Date.now() + freezeMs;
    while (Date.now() < until) {
      // Deliberately blocking: this is the fault.
    }
  }, everyMs);
  return { stop: () => clearInterval(t) };
}

/**
 * Fault memory-leak: retain `bytesPerSec` (touched, so RSS grows) plus a little
 * JS heap per second, up to `maxBytes`.
 */
export function startLeak(bytesPerSec: number, maxBytes: number): Stopper & { retained(): number } {
  const retained: Array<Buffer | string[]> = [];
  let total = 0;
  const tickMs = 250;
  const chunk = Math.max(1, Math.floor((bytesPerSec * tickMs) / 1000));
  const t = setInterval(() => {
    if (total >= maxBytes) return;
    retained.push(Buffer.allocUnsafe(chunk).fill(0x5a));
    // Some JS objects too, so heap gauges move as well as RSS.
    retained.push(Array.from({ length: Math.max(1, Math.floor(chunk / 1024)) }, (_, i) => `leak-${total}-${i}`));
    total += chunk;
  }, tickMs);
  return { stop: () => { clearInterval(t); retained.length = 0; }, retained: () => total };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fault error-burst: every `every`-th call is an error (deterministic). */
export class EveryNth {
  private n = 0;
  constructor(private readonly every: number) {}
  hit(): boolean {
    this.n += 1;
    return this.n % this.every === 0;
  }
}
