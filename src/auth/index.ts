export { authSchema, roleSchema, type AuthConfig, type RoleConfig, type BrowserStep } from './config.ts';
export { Authenticator, planAuth, roleSecretNames, pickJson, blankSecrets, defaultSend, type AuthSession, type LoginFault, type Send, type SendRequest, type SendResponse, type StorageState } from './login.ts';
export { parseSetCookie, type SessionCookie } from './cookies.ts';
export { sharedAuthenticator, type SharedAuthInput } from './shared.ts';
export type { LoginModule, LoginModuleArgs, LoginModuleResult } from './module.ts';
