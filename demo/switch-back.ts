// The demo's rollback command: `node --import tsx demo/switch-back.ts [blue|green]`.
// Flips the blue-green proxy (DEMO_SWITCH_URL) with the token in DEMO_SWITCH_TOKEN.
const to = process.argv[2] ?? 'blue';
const url = process.env.DEMO_SWITCH_URL;
const token = process.env.DEMO_SWITCH_TOKEN;
if (!url || !token) {
  process.stderr.write('switch-back: DEMO_SWITCH_URL and DEMO_SWITCH_TOKEN must be set (pdv demo sets them)\n');
  process.exit(2);
}
try {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ to }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (!res.ok) {
    process.stderr.write(`switch-back: HTTP ${res.status} ${body}\n`);
    process.exit(1);
  }
  process.stdout.write(`switched to ${to}: ${body}\n`);
} catch (err) {
  process.stderr.write(`switch-back: ${(err as Error).message}\n`);
  process.exit(1);
}
