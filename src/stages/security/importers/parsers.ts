import type { ScannerFormat } from '../definitions.ts';
import type { ParsedFile, RawFinding } from './types.ts';

// One parser per scanner format. Each checks the shape it relies on and
// throws ShapeError naming the field when the file is not what it claims.

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function need(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new ShapeError(msg);
}

function str(o: Json, key: string, where: string): string {
  const v = o[key];
  need(typeof v === 'string' || typeof v === 'number', `${where}.${key} must be a string`);
  return String(v);
}

/** Which format a parsed JSON document looks like (undefined: none). */
export function detectFormat(doc: unknown): ScannerFormat | undefined {
  if (isObj(doc)) {
    if ('runs' in doc && ('version' in doc || String(doc.$schema ?? '').includes('sarif'))) return 'sarif';
    if ('site' in doc && ('@version' in doc || '@programName' in doc || '@generated' in doc)) return 'zap';
    if ('auditReportVersion' in doc || ('vulnerabilities' in doc && 'metadata' in doc) || 'advisories' in doc) return 'npm-audit';
    if ('scanResult' in doc) return 'testssl';
  }
  if (Array.isArray(doc) && doc.length > 0 && doc.every((e) => isObj(e) && 'id' in e && 'severity' in e && 'finding' in e)) return 'testssl';
  return undefined;
}

const strip = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

export function parseZap(doc: unknown): ParsedFile {
  need(isObj(doc), 'top level must be an object');
  const sites = Array.isArray(doc.site) ? doc.site : isObj(doc.site) ? [doc.site] : undefined;
  need(sites, '"site" must be an array of sites');
  const byRule = new Map<string, RawFinding>();
  sites.forEach((site, si) => {
    need(isObj(site), `site[${si}] must be an object`);
    const name = typeof site['@name'] === 'string' ? site['@name'] : `site ${si}`;
    need(Array.isArray(site.alerts), `site[${si}].alerts must be an array`);
    site.alerts.forEach((alert, ai) => {
      const where = `site[${si}].alerts[${ai}]`;
      need(isObj(alert), `${where} must be an object`);
      const id = str(alert, 'pluginid', where);
      const risk = str(alert, 'riskcode', where);
      need(/^[0-3]$/.test(risk), `${where}.riskcode must be 0-3, got "${risk}"`);
      const instances = Array.isArray(alert.instances) ? alert.instances : [];
      const urls = instances.flatMap((i) => (isObj(i) && typeof i.uri === 'string' ? [i.uri] : []));
      const count = Number(alert.count ?? instances.length) || instances.length || 1;
      const prev = byRule.get(id);
      const title = String(alert.alert ?? alert.name ?? `ZAP rule ${id}`);
      if (prev && Number(prev.rawSeverity) >= Number(risk)) {
        prev.targets.push(...(urls.length ? urls : [name]));
        prev.count += count;
      } else {
        byRule.set(id, {
          ruleId: id,
          title,
          rawSeverity: risk,
          targets: [...(prev?.targets ?? []), ...(urls.length ? urls : [name])],
          message: strip(String(alert.desc ?? title)).slice(0, 300),
          count: (prev?.count ?? 0) + count,
          details: { riskdesc: alert.riskdesc, confidence: alert.confidence, cweid: alert.cweid, solution: strip(String(alert.solution ?? '')).slice(0, 300) },
        });
      }
    });
  });
  const version = doc['@version'];
  return { tool: 'ZAP', ...(typeof version === 'string' ? { toolVersion: version } : {}), findings: [...byRule.values()] };
}

const TESTSSL_SEVERITIES = new Set(['OK', 'INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'WARN', 'FATAL', 'DEBUG']);

export function parseTestssl(doc: unknown): ParsedFile {
  let records: unknown[];
  let version: string | undefined;
  if (Array.isArray(doc)) records = doc;
  else {
    need(isObj(doc) && Array.isArray(doc.scanResult), 'expected an array of findings (--jsonfile) or an object with "scanResult" (--jsonfile-pretty)');
    version = typeof doc.version === 'string' ? doc.version : undefined;
    records = doc.scanResult.flatMap((target, ti) => {
      need(isObj(target), `scanResult[${ti}] must be an object`);
      const host = `${String(target.targetHost ?? target.ip ?? '')}:${String(target.port ?? '')}`;
      return Object.entries(target).flatMap(([k, v]) => (Array.isArray(v) ? v.map((f) => (isObj(f) ? { ip: host, ...f, section: k } : f)) : []));
    });
  }
  const byId = new Map<string, RawFinding>();
  const rank = ['DEBUG', 'OK', 'INFO', 'WARN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'FATAL'];
  records.forEach((r, i) => {
    const where = `finding ${i}`;
    need(isObj(r), `${where} must be an object`);
    const id = str(r, 'id', where);
    const sev = str(r, 'severity', where).toUpperCase();
    need(TESTSSL_SEVERITIES.has(sev), `${where} (${id}).severity "${sev}" is not a testssl.sh severity`);
    need(typeof r.finding === 'string', `${where} (${id}).finding must be a string`);
    const target = [r.ip, r.port].filter((x) => x !== undefined && x !== '').join(':') || 'target';
    const prev = byId.get(id);
    if (prev && rank.indexOf(prev.rawSeverity) >= rank.indexOf(sev)) {
      prev.targets.push(target);
      prev.count += 1;
      return;
    }
    byId.set(id, {
      ruleId: id,
      title: `testssl.sh ${id}`,
      rawSeverity: sev,
      targets: [...(prev?.targets ?? []), target],
      message: `${id}: ${r.finding}`,
      count: (prev?.count ?? 0) + 1,
      details: { cve: r.cve, cwe: r.cwe },
    });
  });
  return { tool: 'testssl.sh', ...(version ? { toolVersion: version } : {}), findings: [...byId.values()] };
}

const NPM_SEVERITIES = new Set(['info', 'low', 'moderate', 'high', 'critical']);

export function parseNpmAudit(doc: unknown): ParsedFile {
  need(isObj(doc), 'top level must be an object');
  need(!('advisories' in doc) || 'vulnerabilities' in doc, 'this is the npm 6 audit format ("advisories"); run npm audit --json with npm 7 or later');
  need(doc.auditReportVersion === 2, `auditReportVersion must be 2 (npm 7+), got ${JSON.stringify(doc.auditReportVersion)}`);
  need(isObj(doc.vulnerabilities), '"vulnerabilities" must be an object');
  const findings: RawFinding[] = [];
  for (const [pkg, v] of Object.entries(doc.vulnerabilities)) {
    const where = `vulnerabilities.${pkg}`;
    need(isObj(v), `${where} must be an object`);
    const sev = str(v, 'severity', where);
    need(NPM_SEVERITIES.has(sev), `${where}.severity "${sev}" is not an npm audit severity`);
    need(Array.isArray(v.via), `${where}.via must be an array`);
    const advisories = v.via.filter(isObj);
    const ghsa = advisories.flatMap((a) => (typeof a.url === 'string' ? [a.url.split('/').pop() ?? ''] : [])).filter((x) => x.startsWith('GHSA-'));
    const titles = advisories.map((a) => String(a.title ?? '')).filter(Boolean);
    const through = v.via.filter((x): x is string => typeof x === 'string');
    const fix = v.fixAvailable === true ? 'fix available' : isObj(v.fixAvailable) ? `fix: ${String(v.fixAvailable.name)}@${String(v.fixAvailable.version)}${v.fixAvailable.isSemVerMajor ? ' (semver major)' : ''}` : 'no fix available';
    findings.push({
      ruleId: pkg,
      title: `${pkg}: ${titles[0] ?? `vulnerable through ${through.join(', ') || 'a dependency'}`}`,
      rawSeverity: sev,
      targets: Array.isArray(v.nodes) ? v.nodes.map(String) : [pkg],
      message: `${pkg} ${String(v.range ?? '')} (${sev}): ${titles.join('; ') || `via ${through.join(', ')}`}; ${fix}`,
      count: Math.max(1, advisories.length),
      aliases: ghsa,
      details: { range: v.range, isDirect: v.isDirect, advisories: advisories.map((a) => ({ title: a.title, url: a.url, severity: a.severity, cwe: a.cwe })) },
    });
  }
  return { tool: 'npm audit', findings };
}

const FAIL_KINDS = new Set(['fail', 'open', 'review']);

export function parseSarif(doc: unknown): ParsedFile {
  need(isObj(doc), 'top level must be an object');
  need(doc.version === '2.1.0', `SARIF version must be "2.1.0", got ${JSON.stringify(doc.version)}`);
  need(Array.isArray(doc.runs), '"runs" must be an array');
  const byRule = new Map<string, RawFinding>();
  let tool = 'SARIF';
  let toolVersion: string | undefined;
  doc.runs.forEach((run, ri) => {
    need(isObj(run), `runs[${ri}] must be an object`);
    const driver = isObj(run.tool) && isObj(run.tool.driver) ? run.tool.driver : undefined;
    need(driver && typeof driver.name === 'string', `runs[${ri}].tool.driver.name is required`);
    tool = driver.name as string;
    if (typeof driver.version === 'string') toolVersion = driver.version;
    const rules = Array.isArray(driver.rules) ? driver.rules.filter(isObj) : [];
    need(run.results === undefined || Array.isArray(run.results), `runs[${ri}].results must be an array`);
    ((run.results as unknown[] | undefined) ?? []).forEach((res, i) => {
      const where = `runs[${ri}].results[${i}]`;
      need(isObj(res), `${where} must be an object`);
      const rule = typeof res.ruleIndex === 'number' ? rules[res.ruleIndex] : undefined;
      const ruleId = typeof res.ruleId === 'string' ? res.ruleId : typeof rule?.id === 'string' ? rule.id : undefined;
      need(ruleId, `${where} has no ruleId`);
      need(isObj(res.message) && (typeof res.message.text === 'string' || typeof res.message.id === 'string'), `${where}.message.text is required`);
      const kind = typeof res.kind === 'string' ? res.kind : 'fail';
      if (!FAIL_KINDS.has(kind)) return;
      const ruleDef = rule ?? rules.find((r) => r.id === ruleId);
      const dflt = isObj(ruleDef?.defaultConfiguration) ? ruleDef.defaultConfiguration.level : undefined;
      const level = typeof res.level === 'string' ? res.level : typeof dflt === 'string' ? dflt : 'warning';
      need(['none', 'note', 'warning', 'error'].includes(level), `${where}.level "${level}" is not a SARIF level`);
      const secSev = isObj(ruleDef?.properties) ? Number(ruleDef.properties['security-severity']) : NaN;
      const locations = (Array.isArray(res.locations) ? res.locations : []).flatMap((l) => {
        const pl = isObj(l) && isObj(l.physicalLocation) ? l.physicalLocation : undefined;
        const uri = pl && isObj(pl.artifactLocation) && typeof pl.artifactLocation.uri === 'string' ? pl.artifactLocation.uri : undefined;
        const line = pl && isObj(pl.region) && typeof pl.region.startLine === 'number' ? pl.region.startLine : undefined;
        return uri ? [{ uri, ...(line ? { startLine: line } : {}) }] : [];
      });
      const text = String(res.message.text ?? res.message.id);
      const prev = byRule.get(`${tool}/${ruleId}`);
      if (prev) {
        prev.count += 1;
        prev.locations?.push(...locations);
        if (['none', 'note', 'warning', 'error'].indexOf(level) > ['none', 'note', 'warning', 'error'].indexOf(prev.rawSeverity)) prev.rawSeverity = level;
        return;
      }
      const short = isObj(ruleDef?.shortDescription) ? ruleDef.shortDescription.text : undefined;
      byRule.set(`${tool}/${ruleId}`, {
        ruleId,
        title: typeof short === 'string' ? short : `${tool} ${ruleId}`,
        rawSeverity: level,
        targets: locations.map((l) => l.uri),
        message: text.slice(0, 300),
        count: 1,
        aliases: [`${tool}/${ruleId}`],
        locations,
        ...(Number.isFinite(secSev) ? { securitySeverity: secSev } : {}),
      });
    });
  });
  return { tool, ...(toolVersion ? { toolVersion } : {}), findings: [...byRule.values()] };
}

export const PARSERS: Record<ScannerFormat, (doc: unknown) => ParsedFile> = {
  zap: parseZap,
  testssl: parseTestssl,
  'npm-audit': parseNpmAudit,
  sarif: parseSarif,
};
