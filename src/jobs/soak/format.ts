// Human units for soak reasons: bytes per hour, ms per hour, ratios as %.

const UNITS: Record<string, (v: number) => string> = {
  bytes: (v) => {
    const a = Math.abs(v);
    if (a >= 1024 ** 3) return `${(v / 1024 ** 3).toFixed(2)} GiB`;
    if (a >= 1024 ** 2) return `${(v / 1024 ** 2).toFixed(2)} MiB`;
    if (a >= 1024) return `${(v / 1024).toFixed(1)} KiB`;
    return `${v.toFixed(0)} B`;
  },
  ms: (v) => `${v.toFixed(Math.abs(v) >= 100 ? 0 : 2)} ms`,
  ratio: (v) => `${(v * 100).toFixed(2)}%`,
  count: (v) => v.toFixed(Math.abs(v) >= 100 ? 0 : 2),
};

export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  return (UNITS[unit] ?? UNITS.count!)(v);
}

export function formatRate(v: number, unit: string): string {
  return `${formatValue(v, unit)}/h`;
}
