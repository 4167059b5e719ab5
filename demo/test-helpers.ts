// Shared by the demo's own tests (not a test file).
import type { DemoHandle, StartDemoOptions } from './launch.ts';
import { startDemo } from './launch.ts';

export const PASSWORDS = { admin: 'admin-Test-pw-1', editor: 'editor-Test-pw-2', viewer: 'viewer-Test-pw-3' } as const;
export const USERS = {
  admin: { email: 'admin@studio.test', password: PASSWORDS.admin },
  editor: { email: 'editor@studio.test', password: PASSWORDS.editor },
  editor2: { email: 'editor2@studio.test', password: PASSWORDS.editor },
  viewer: { email: 'viewer@studio.test', password: PASSWORDS.viewer },
} as const;

export function startTestDemo(opts: StartDemoOptions = {}): Promise<DemoHandle> {
  return startDemo({
    ...opts,
    env: {
      DEMO_ADMIN_PASSWORD: PASSWORDS.admin,
      DEMO_EDITOR_PASSWORD: PASSWORDS.editor,
      DEMO_VIEWER_PASSWORD: PASSWORDS.viewer,
      DATABASE_URL: '',
      DEMO_RENDER_MS: '1500',
      ...opts.env,
    },
  });
}

export async function loginToken(baseUrl: string, who: keyof typeof USERS): Promise<string> {
  const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USERS[who].email, password: USERS[who].password }) });
  if (res.status !== 200) throw new Error(`login ${who}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export function auth(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...extra };
}

/** Polls until `fn` returns a value (not undefined), bounded by attempts, not by asserting time. */
export async function pollFor<T>(fn: () => Promise<T | undefined>, { attempts = 100, everyMs = 100 } = {}): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met after ${attempts} attempts`);
}

/** One metric sample from Prometheus text, e.g. metric(text, 'demo_alarm_condition'). */
export function metric(text: string, name: string, labels = ''): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const [key, value] = line.split(' ');
    if (key === name + labels || (labels === '' && key === name)) return Number(value);
  }
  return undefined;
}
