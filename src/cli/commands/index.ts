import type { Command } from 'commander';
import type { CliIo } from '../io.ts';

type Register = (program: Command, io: CliIo) => void;

// Subcommands contributed by each area (load, soak, dr, …), one line each.
export const COMMANDS: Array<() => Promise<Register>> = [
  async () => (await import('./dr.ts')).register,
  async () => (await import('./soak.ts')).register,
  async () => (await import('./load.ts')).register,
  async () => (await import('./decide.ts')).register,
  async () => (await import('./init.ts')).register,
];
