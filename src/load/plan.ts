import type { ExecutorSpec } from './scenario.ts';
import type { ParsedThreshold } from './thresholds.ts';

// The plan an engine thread runs: plain data (it crosses into worker
// threads). Headers may hold tokens: it lives in memory only, never on disk.

export interface PreparedRequest {
  name: string;
  method: string;
  origin: string;
  /** Path with query; `{{i}}` (arrival index) is the only template left at this point. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface PreparedScenario {
  name: string;
  spec: ExecutorSpec;
  requests: PreparedRequest[];
  weights: number[];
}

export interface EnginePlan {
  scenarios: PreparedScenario[];
  thresholds: ParsedThreshold[];
  requestTimeoutMs: number;
  windowMs: number;
  abort: { errorRate: number; windowMs: number; minRequests: number };
  /** Extra trusted CA certificates (PEM) for an HTTPS target behind a private CA. */
  ca?: string[];
}

export interface AbortInfo {
  kind: 'error-rate' | 'threshold' | 'signal';
  reason: string;
  /** Threshold key + expression for kind=threshold. */
  threshold?: string;
  atMs: number;
}
