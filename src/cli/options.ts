import { Option, type Command } from 'commander';
import type { ConfigFlags } from '../config/load.ts';
import { UsageError } from '../core/errors.ts';

/** Options shared by every command that targets an environment. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file', undefined)
    .option('--env <name>', 'environment (default $ENVIRONMENT, else staging)')
    .option('--base-url <url>', 'web app URL (overrides config and $PDV_BASE_URL)')
    .option('--api-url <url>', 'API URL (overrides config and $API_BASE_URL)')
    .option('--expect-version <v>', 'version the deploy must report')
    .option('--deploy-id <id>', 'deploy identifier (default $PDV_DEPLOY_ID)')
    .option('--out <dir>', 'run folder (default reports/<run-id>/)')
    .option('--json', 'machine output on stdout', false);
}

export interface TargetOptions extends ConfigFlags {
  out?: string;
  json?: boolean;
}

export function configFlags(o: TargetOptions): ConfigFlags {
  return {
    ...(o.config !== undefined ? { config: o.config } : {}),
    ...(o.env !== undefined ? { env: o.env } : {}),
    ...(o.baseUrl !== undefined ? { baseUrl: o.baseUrl } : {}),
    ...(o.apiUrl !== undefined ? { apiUrl: o.apiUrl } : {}),
    ...(o.expectVersion !== undefined ? { expectVersion: o.expectVersion } : {}),
    ...(o.deployId !== undefined ? { deployId: o.deployId } : {}),
  };
}

/** "2/4" → { index: 2, total: 4 } (1-based, as Playwright's --shard). */
export function parseFraction(value: string, flag: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total) throw new UsageError(`"${value}" must be i/n with 1 ≤ i ≤ n`, flag);
  return { index, total };
}

/** How far ahead `--start-at` may be: further is taken for a typo (a day, a year). */
const MAX_START_AHEAD_MS = 24 * 3_600_000;

/** `--start-at <ISO time>`: a time with a zone, in the future (a segment cannot start in the past), within a day. */
export function parseStartAt(value: string, nowMs: number): number {
  const ms = /(Z|[+-]\d\d:?\d\d)$/i.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (!Number.isFinite(ms)) throw new UsageError(`"${value}" is not an ISO 8601 time with a zone (e.g. 2026-12-07T20:00:00Z)`, '--start-at');
  if (ms <= nowMs) throw new UsageError(`"${value}" is in the past: every segment must reach it before its schedule starts`, '--start-at');
  if (ms - nowMs > MAX_START_AHEAD_MS) throw new UsageError(`"${value}" is more than 24 h ahead`, '--start-at');
  return ms;
}

export const importOption = () => new Option('--import <file...>', 'scanner reports to import (ZAP, testssl.sh, npm audit, SARIF)');
