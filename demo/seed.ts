import type { Db } from './db.ts';
import { hashPassword, randomSecret, type Role } from './auth.ts';

export const DEMO_USERS: ReadonlyArray<{ email: string; role: Role; passwordEnv: string }> = [
  { email: 'admin@studio.test', role: 'admin', passwordEnv: 'DEMO_ADMIN_PASSWORD' },
  { email: 'editor@studio.test', role: 'editor', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
  { email: 'editor2@studio.test', role: 'editor', passwordEnv: 'DEMO_EDITOR_PASSWORD' },
  { email: 'viewer@studio.test', role: 'viewer', passwordEnv: 'DEMO_VIEWER_PASSWORD' },
];

const PROJECTS: ReadonlyArray<{ title: string; owner: string }> = [
  { title: 'Neon Harbor', owner: 'editor@studio.test' },
  { title: 'The Last Reel', owner: 'editor@studio.test' },
  { title: 'Paper Moons', owner: 'editor2@studio.test' },
  { title: 'Studio Showreel 2026', owner: 'admin@studio.test' },
];

/**
 * Upserts the four users (passwords from env, random when unset — never logged)
 * and seeds projects and settings once. Returns the secret values for the log redactor.
 */
export async function seed(db: Db, env: NodeJS.ProcessEnv): Promise<string[]> {
  const secrets: string[] = [];
  const passwords = new Map<string, string>();
  for (const u of DEMO_USERS) {
    const pw = passwords.get(u.passwordEnv) ?? (env[u.passwordEnv] || randomSecret());
    passwords.set(u.passwordEnv, pw);
    secrets.push(pw);
  }
  // scrypt runs on the libuv pool: hash all four at once.
  const hashes = await Promise.all(DEMO_USERS.map((u) => hashPassword(passwords.get(u.passwordEnv) ?? '')));
  for (const [i, u] of DEMO_USERS.entries()) {
    const hash = hashes[i];
    const [row] = await db.query<{ id: number }>(
      `insert into users (email, role, password_hash) values ($1, $2, $3)
       on conflict (email) do update set role = excluded.role, password_hash = excluded.password_hash
       returning id`,
      [u.email, u.role, hash],
    );
    if (!row) throw new Error(`seeding ${u.email} returned no row`);
    const settings = { theme: u.role === 'admin' ? 'dark' : 'light', emailNotifications: true, billingEmail: `billing+${row.id}@studio.test`, renderQuota: u.role === 'viewer' ? 0 : 50 };
    await db.query('insert into user_settings (user_id, settings) values ($1, $2) on conflict (user_id) do nothing', [row.id, JSON.stringify(settings)]);
  }
  const [{ n } = { n: 0 }] = await db.query<{ n: number }>('select count(*)::int as n from projects');
  if (n === 0) {
    for (const p of PROJECTS) {
      await db.query('insert into projects (title, owner_id) select $1, id from users where email = $2', [p.title, p.owner]);
    }
  }
  return secrets;
}
