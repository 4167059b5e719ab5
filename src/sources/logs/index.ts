export type { LogBin, LogSource, LogWindow, LogWindowQuery, ErrorLine } from './types.ts';
export { CloudWatchLogsSource, type CloudWatchLogsOptions } from './cloudwatch.ts';
export { FileLogSource, type FileLogOptions } from './file.ts';
export { fingerprint, normaliseMessage } from './normalise.ts';
export { countSignatures, newSignatures, type NewSignatures, type Signature } from './signatures.ts';
