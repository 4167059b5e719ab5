export { authSchema, roleSchema, type AuthConfig, type RoleConfig } from './config.ts';
export { Authenticator, planAuth, roleSecretNames, pickJson, blankSecrets, defaultSend, type AuthSession, type Send, type SendRequest, type SendResponse } from './login.ts';
export { parseSetCookie, type SessionCookie } from './cookies.ts';
export { sharedAuthenticator, type SharedAuthInput } from './shared.ts';
