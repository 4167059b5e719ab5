// Inline CSS: the page opens offline from a CI artifact, so nothing is fetched.
export const CSS = `
:root { color-scheme: light; --fg:#111827; --muted:#6b7280; --line:#e5e7eb; --bg:#f9fafb;
  --stand:#15803d; --rollback:#b91c1c; --hold:#b45309; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1200px; margin:0 auto; padding:16px 24px 48px; }
h1 { margin:0; font-size:28px; letter-spacing:.02em; }
h2 { font-size:18px; margin:28px 0 8px; border-bottom:1px solid var(--line); padding-bottom:4px; }
a { color:#1d4ed8; }
code, pre { font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre { background:#fff; border:1px solid var(--line); padding:8px; overflow:auto; max-height:360px; white-space:pre-wrap; word-break:break-word; }
.alarm { background:#7f1d1d; color:#fff; padding:18px 24px; font-size:22px; font-weight:800; border-bottom:6px solid #fecaca; }
.alarm a { color:#fff; }
.alarm small { display:block; font-size:14px; font-weight:400; margin-top:4px; }
.banner { color:#fff; padding:20px 24px; }
.banner.stand { background:var(--stand); } .banner.rollback { background:var(--rollback); } .banner.hold { background:var(--hold); }
.banner .meaning { font-size:16px; margin-top:2px; }
.banner .partial { display:inline-block; margin-left:12px; padding:2px 8px; border:2px dashed #fff; font-size:14px; vertical-align:middle; }
.facts { display:grid; grid-template-columns:repeat(auto-fill,minmax(220px,1fr)); gap:4px 16px; margin-top:12px; font-size:13px; }
.facts dt { opacity:.8; } .facts dd { margin:0 0 4px; font-weight:600; overflow-wrap:anywhere; }
.facts.kit { background:#fff; border:1px solid var(--line); padding:8px 12px; margin-top:0; }
ol.reasons li, ul.warnings li { margin:4px 0; }
.effect { font-weight:700; text-transform:uppercase; font-size:12px; padding:1px 6px; border-radius:3px; color:#fff; }
.effect.rollback { background:var(--rollback); } .effect.hold { background:var(--hold); } .effect.warn, .effect.stand { background:#4b5563; }
table { border-collapse:collapse; width:100%; background:#fff; }
th, td { border:1px solid var(--line); padding:4px 6px; text-align:left; vertical-align:top; }
th { background:#f3f4f6; font-weight:600; }
tr:target { outline:3px solid #f59e0b; }
.status { font-weight:700; }
.status.passed { color:var(--stand); } .status.failed, .status.errored { color:var(--rollback); }
.status.flaky { color:var(--hold); } .status.skipped { color:var(--muted); }
.num { text-align:right; white-space:nowrap; }
.muted { color:var(--muted); }
.evidence img { max-width:360px; max-height:240px; display:block; border:1px solid var(--line); margin:4px 0; }
.filters button { margin-right:4px; }
.filters button[aria-pressed="true"] { font-weight:700; }
.actions .failed { color:var(--rollback); font-weight:800; }
details summary { cursor:pointer; }
svg.chart, svg.timeline { max-width:100%; height:auto; background:#fff; border:1px solid var(--line); }
@media print { .filters { display:none; } }
`;
