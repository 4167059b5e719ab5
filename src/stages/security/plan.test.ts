import { describe, expect, it } from 'vitest';
import { planSites } from './run.ts';

describe('planSites', () => {
  it.each([
    ['HTTP base with an HTTPS twin, API on the same origin', 'http://127.0.0.1:8080', 'http://127.0.0.1:8080', 'https://127.0.0.1:8443', [{ name: 'base', httpUrl: 'http://127.0.0.1:8080', httpsUrl: 'https://127.0.0.1:8443' }]],
    ['HTTPS base on 443 also asks port 80 for the redirect', 'https://app.test/', undefined, undefined, [{ name: 'base', httpsUrl: 'https://app.test/', httpUrl: 'http://app.test/' }]],
    ['HTTPS base on another port: no HTTP twin guessed', 'https://app.test:8443/', undefined, undefined, [{ name: 'base', httpsUrl: 'https://app.test:8443/' }]],
    ['API on another origin is a site of its own', 'https://app.test/', 'https://api.app.test/v1', undefined, [{ name: 'base', httpsUrl: 'https://app.test/', httpUrl: 'http://app.test/' }, { name: 'api', httpsUrl: 'https://api.app.test/v1', httpUrl: 'http://api.app.test/v1' }]],
  ])('%s', (_label, base, api, https, sites) => {
    expect(planSites(base, api, https)).toEqual(sites);
  });
});
