import { test, expect } from '../support/fixtures.ts';
import { apiLogin } from '../support/api.ts';
import { apiUrl, requireVar, target } from '../support/target.ts';

// The API answers a signed-in user, with the shapes clients rely on.

/** The least privileged configured role: smoke must not need an admin. */
const smokeRole = ['viewer', 'editor', 'admin'].find((r) => r in target.credentials) ?? Object.keys(target.credentials)[0] ?? 'viewer';

test('api login', { tag: ['@smoke', '@critical'] }, async ({ request }) => {
  const login = await apiLogin(request, smokeRole);
  expect(login.token, 'login returns a token').toEqual(expect.any(String));
  expect(login.user).toMatchObject({ id: expect.anything(), email: expect.any(String), role: expect.any(String) });
  const me = await request.get(apiUrl('/api/me'), { headers: { authorization: `Bearer ${login.token}` } });
  expect(me.status(), 'GET /api/me with the new token').toBe(200);
});

test('read endpoints', { tag: ['@smoke', '@major'] }, async ({ request }) => {
  const { token } = await apiLogin(request, smokeRole);
  const auth = { authorization: `Bearer ${token}` };

  const projects = await request.get(apiUrl('/api/projects'), { headers: auth });
  expect(projects.status(), 'GET /api/projects').toBe(200);
  const list = (await projects.json()) as { projects?: unknown };
  expect(Array.isArray(list.projects), 'projects is an array').toBe(true);
  for (const p of list.projects as unknown[]) {
    expect(p).toMatchObject({ id: expect.anything(), title: expect.any(String), ownerId: expect.anything(), createdAt: expect.any(String) });
  }

  const first = (list.projects as Array<{ id: number | string }>)[0];
  if (first) {
    const one = await request.get(apiUrl(`/api/projects/${first.id}`), { headers: auth });
    expect(one.status(), `GET /api/projects/${first.id}`).toBe(200);
  }

  const flags = await request.get(apiUrl('/api/flags'), { headers: auth });
  expect(flags.status(), 'GET /api/flags').toBe(200);
  expect(await flags.json()).toMatchObject({ environment: expect.any(String), flags: expect.any(Object) });
});

test('integration probe', { tag: ['@smoke', '@major', '@hold'] }, async ({ request }) => {
  const res = await request.get(apiUrl(requireVar('integrationPath')));
  const body = (await res.json().catch(() => ({}))) as { status?: string };
  expect(res.status(), `Salesforce sandbox answered ${res.status()} ${JSON.stringify(body)}`).toBe(200);
  expect(body.status).toBe('ok');
});
