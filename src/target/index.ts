export * from './environment.ts';
export type { RunSettings } from './settings.ts';
