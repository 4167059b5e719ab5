import { join } from 'node:path';
import { readPwTarget, type PwCredential } from '../../src/stages/playwright/target-env.ts';

// The target of this run, as the pdv stage (or plain env vars) describes it.
export const target = readPwTarget();

export type Role = 'admin' | 'editor' | 'viewer';

export interface Login {
  username: string;
  password: string;
}

/** Username and password for a role; the password is read from the env var the config names. */
export function credentials(role: string): Login {
  const c: PwCredential | undefined = target.credentials[role];
  if (!c) throw new Error(`no credentials configured for role "${role}" (environment.credentials.${role})`);
  const password = process.env[c.passwordEnv];
  if (!password) throw new Error(`the password for role "${role}" is not set (env ${c.passwordEnv})`);
  return { username: c.username, password };
}

/** Where the setup project stores a role's session (a scratch folder, never the run folder). */
export function statePath(role: string): string {
  return join(target.stateDir, `${role}.json`);
}

/** An API URL under the target's API base. */
export function apiUrl(path: string): string {
  return new URL(path, target.apiUrl.endsWith('/') ? target.apiUrl : `${target.apiUrl}/`).toString();
}
