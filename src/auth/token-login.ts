import { errorMessage } from '../core/errors.ts';
import type { AuthConfig } from './config.ts';
import { exchangeEvidence } from './exchange.ts';
import { refused, unreachable, type LoginInput, type Outcome } from './outcome.ts';
import { Jar, type SendRequest, type SendResponse } from './session.ts';
import { blankSecrets, pickJson, resolveUrl, stringify } from './util.ts';

// One request that answers with a token or a session cookie: JSON logins,
// form-encoded API logins (`form` with `direct: true`) and OAuth2 token
// endpoints (RFC 6749 §4.3 password, §4.4 client credentials).

type RequestLogin = Extract<AuthConfig, { type: 'json' | 'form' | 'oauth2-password' | 'oauth2-client-credentials' }>;

export interface ClientSecrets {
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scope?: string | undefined;
}

function basicOf(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function buildRequest(auth: RequestLogin, x: LoginInput, client: ClientSecrets): SendRequest {
  if (auth.type === 'json' || auth.type === 'form') {
    const userField = auth.usernameField ?? 'username';
    const passField = auth.passwordField ?? 'password';
    const bodyFields = { ...auth.fields, [userField]: x.username ?? '', [passField]: x.password ?? '' };
    const url = resolveUrl(auth.url, auth.type === 'form' && auth.on === 'base' ? x.baseUrl : x.apiUrl, x.username);
    const basic: Record<string, string> = {};
    if (auth.basic) {
      basic.authorization = basicOf(x.username ?? '', x.password ?? '');
      x.redactor.addSecret(`basic:${x.role}`, basic.authorization.slice(6));
    }
    return auth.type === 'json'
      ? { method: auth.method, url, headers: { 'content-type': 'application/json', accept: 'application/json', ...basic }, body: JSON.stringify(bodyFields) }
      : { method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json, text/html', ...basic }, body: new URLSearchParams(stringify(bodyFields)).toString() };
  }
  const bodyFields: Record<string, string | number | boolean> = { ...auth.fields, grant_type: auth.type === 'oauth2-password' ? 'password' : 'client_credentials' };
  if (auth.type === 'oauth2-password') {
    bodyFields.username = x.username ?? '';
    bodyFields.password = x.password ?? '';
  }
  if (client.scope) bodyFields.scope = client.scope;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (auth.clientAuth === 'basic' && client.clientId) {
    headers.authorization = basicOf(encodeURIComponent(client.clientId), encodeURIComponent(client.clientSecret ?? ''));
    x.redactor.addSecret(`client-basic:${x.role}`, headers.authorization.slice(6));
  } else {
    if (client.clientId) bodyFields.client_id = client.clientId;
    if (client.clientSecret) bodyFields.client_secret = client.clientSecret;
  }
  return { method: 'POST', url: resolveUrl(auth.tokenUrl, x.apiUrl), headers, body: new URLSearchParams(stringify(bodyFields)).toString() };
}

export async function requestLogin(auth: RequestLogin, x: LoginInput, client: ClientSecrets): Promise<Outcome> {
  const req = buildRequest(auth, x, client);
  const label = `sign in as ${x.role}`;
  const r = x.redactor;
  let res: SendResponse;
  try {
    res = await x.send(req, x.signal, auth.timeout);
  } catch (err) {
    return unreachable(`${label}: ${req.method} ${r.url(req.url)} failed: ${r.text(errorMessage(err))}`, err, [exchangeEvidence(r, label, req, undefined, blankSecrets)]);
  }
  const jar = new Jar();
  for (const c of jar.store(req.url, res.headers['set-cookie'])) r.addSecret(`cookie:${x.role}:${c.name}`, c.value);
  const evidence = () => [exchangeEvidence(r, label, req, res, blankSecrets)];
  const okStatus = auth.expect ? auth.expect.includes(res.status) : res.status >= 200 && res.status < 300;
  if (!okStatus) return refused(`${label}: ${req.method} ${r.url(req.url)} answered HTTP ${res.status}`, evidence(), res.status);
  let json: unknown;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  const tokenPath = auth.type === 'json' || auth.type === 'form' ? auth.tokenPath : 'access_token';
  const userIdPath = auth.type === 'json' || auth.type === 'form' ? auth.userIdPath : undefined;
  const userIdRaw = userIdPath ? pickJson(json, userIdPath) : undefined;
  const userId = userIdRaw === undefined || userIdRaw === null ? undefined : String(userIdRaw);
  const common = { jar, how: 'login' as const, ...(userId ? { userId } : {}) };
  if (tokenPath) {
    const token = pickJson(json, tokenPath);
    if (typeof token !== 'string' || !token) return refused(`${label}: HTTP ${res.status} but no token at "${tokenPath}" in the answer`, evidence());
    r.addSecret(`token:${x.role}`, token);
    const use = auth.type === 'json' || auth.type === 'form' ? auth : { header: 'authorization', scheme: 'Bearer' };
    return { ok: true, fixed: tokenHeader(token, use), token, ...common, decidedBy: `HTTP ${res.status} with a token at "${tokenPath}"`, evidence: evidence() };
  }
  if (!jar.size) return refused(`${label}: HTTP ${res.status} but the answer set no cookie and no tokenPath is configured`, evidence());
  return { ok: true, fixed: {}, ...common, decidedBy: `HTTP ${res.status} with a session cookie`, evidence: evidence() };
}

export function tokenHeader(token: string, a: { header: string; scheme: string } = { header: 'authorization', scheme: 'Bearer' }): Record<string, string> {
  return { [a.header.toLowerCase()]: a.scheme ? `${a.scheme} ${token}` : token };
}
