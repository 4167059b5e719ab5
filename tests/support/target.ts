import { join } from 'node:path';
import { PreconditionError } from '../../src/playwright/precondition.ts';
import { readPwTarget, type PwCredential } from '../../src/playwright/target-env.ts';

export { PreconditionError };

// The target of this run, as the pdv stage (or plain env vars) describes it.
export const target = readPwTarget();

export type Role = 'admin' | 'editor' | 'viewer';

export interface Login {
  username: string;
  password: string;
}

/**
 * Username and password for a role; the password is read from the env var the
 * config names. Missing configuration is the harness's input, not the target's
 * fault: a PreconditionError (reported errored, never failed).
 */
export function credentials(role: string): Login {
  const c: PwCredential | undefined = target.credentials[role];
  if (!c) throw new PreconditionError(`no credentials configured for role "${role}" (environments.<env>.credentials.${role})`);
  if (!c.username || !c.passwordEnv) throw new PreconditionError(`role "${role}" has no username/passwordEnv (these specs sign in with a password)`);
  const password = process.env[c.passwordEnv];
  if (!password) throw new PreconditionError(`the password for role "${role}" is not set (env ${c.passwordEnv})`);
  return { username: c.username, password };
}

/** A value the specs need from `environments.<env>.vars`; missing is a precondition, not a failure. */
export function requireVar(name: string): string {
  const v = target.vars[name];
  if (v === undefined || v === '') throw new PreconditionError(`environments.<env>.vars.${name} is not set (these specs need it)`);
  return v;
}

/** Where the setup project stores a role's session (a scratch folder, never the run folder). */
export function statePath(role: string): string {
  return join(target.stateDir, `${role}.json`);
}

/** An API URL under the target's API base. */
export function apiUrl(path: string): string {
  return new URL(path, target.apiUrl.endsWith('/') ? target.apiUrl : `${target.apiUrl}/`).toString();
}
