import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../../core/errors.ts';
import type { ProbeResponse } from '../../../http/probe-client.ts';
import { joinUrl, type SecurityRun, type SiteGate } from '../run-context.ts';

export type { SiteGate } from '../run-context.ts';
import { anonymousRefusal } from './refusal.ts';

// Does a site refuse every anonymous request (a WAF, an IP allow-list, a
// single sign-on gate in front of everything)? Then an anonymous probe that is
// refused says nothing about the path it asked for: "/.env answered 403" or
// "anonymous GET /api/projects answered 401" is the gate's answer, not the
// application's. Asked once per site: its home page and a path that cannot exist.

async function askGate(run: SecurityRun, baseUrl: string): Promise<SiteGate> {
  const loginPaths = run.loginPaths;
  const answers: ProbeResponse[] = [];
  const refused: string[] = [];
  for (const path of ['/', `/pdv-probe-${randomBytes(6).toString('hex')}`]) {
    const url = joinUrl(baseUrl, path);
    try {
      const res = await run.client({ url });
      answers.push(res);
      const why = anonymousRefusal(res, url, loginPaths);
      if (why) refused.push(`GET ${path} → ${why}`);
    } catch (err) {
      refused.push(`GET ${path}: ${errorMessage(err)}`);
    }
  }
  const all = answers.length > 0 && refused.length === 2;
  return { ...(all ? { refusal: `the site refuses every anonymous request (${refused.join('; ')}): a refused probe here is the gate's answer, not the application's` } : {}), answers };
}

/** The site's gate, asked once per run and site. */
export function siteGate(run: SecurityRun, baseUrl: string): Promise<SiteGate> {
  const key = new URL(baseUrl).origin;
  let g = run.gates.get(key);
  if (!g) {
    g = askGate(run, baseUrl);
    run.gates.set(key, g);
  }
  return g;
}
