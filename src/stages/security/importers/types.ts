import type { ScannerFormat } from '../definitions.ts';
import type { OnFail, Severity } from '../../../core/types.ts';

/** One rule's findings from one scanner file, before severity mapping. */
export interface RawFinding {
  ruleId: string;
  title: string;
  /** The scanner's own severity word (riskcode, testssl severity, npm severity, SARIF level / security-severity). */
  rawSeverity: string;
  /** Where it was seen: URLs, host:port, package paths. */
  targets: string[];
  message: string;
  count: number;
  /** Alternative rule ids for overrides (npm audit GHSA ids, SARIF tool/rule). */
  aliases?: string[];
  /** Source locations carried over from an imported SARIF result. */
  locations?: Array<{ uri: string; startLine?: number }>;
  /** security-severity from a SARIF rule, when given. */
  securitySeverity?: number;
  details?: unknown;
}

export interface ScannerFinding extends Omit<RawFinding, 'rawSeverity'> {
  rawSeverity: string;
  /** Mapped: a severity, or errored (the scanner could not finish). */
  severity: Severity;
  errored: boolean;
  onFail?: OnFail;
}

export interface ParsedImport {
  /** Absolute path. */
  file: string;
  format: ScannerFormat;
  tool: string;
  toolVersion?: string;
  findings: ScannerFinding[];
  /** Findings the mapping (or an override) ignores (informational, OK, …). */
  ignored: number;
}

export interface ParsedFile {
  tool: string;
  toolVersion?: string;
  findings: RawFinding[];
}
