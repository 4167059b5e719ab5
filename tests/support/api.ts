import { expect, type APIRequestContext } from '@playwright/test';
import { apiUrl, credentials } from './target.ts';

export interface LoginResult {
  token: string;
  user: { id: number; email: string; role: string };
}

/** POST /api/login; the request context keeps the `sid` cookie. */
export async function apiLogin(request: APIRequestContext, role: string): Promise<LoginResult> {
  const res = await request.post(apiUrl('/api/login'), { data: credentials(role) });
  expect(res.status(), `login as ${role}`).toBe(200);
  return (await res.json()) as LoginResult;
}

/** True when the context's session is still accepted by the API. */
export async function sessionValid(request: APIRequestContext): Promise<boolean> {
  const res = await request.get(apiUrl('/api/me'));
  return res.ok();
}
