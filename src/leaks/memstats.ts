// Reader for a MemStats series: JSON lines, each a runtime.MemStats as encoding/json writes it
// (top-level fields HeapInuse, HeapObjects, ...), optionally with NumGoroutine, a "Metrics"
// object of runtime/metrics values, an "App" object of application gauges and a time stamp
// ("Time" as RFC 3339 or Unix ns/ms/s). A wrapped form {"MemStats": {...}, ...} is accepted too.
// The PauseNs/PauseEnd/BySize arrays are dropped: the doctor works on scalar trends.
import { CorruptInputError, WrongInputKindError } from './errors.js';
import type { MemStatsPoint, MemStatsSeries } from './types.js';

const timeKeys = ['Time', 'time', 'ts', 'Timestamp', 'timestamp', 'UnixNano'];

function seconds(v: unknown): number | undefined {
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms / 1000;
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (v > 1e17) return v / 1e9; // ns
    if (v > 1e14) return v / 1e6; // us
    if (v > 1e11) return v / 1e3; // ms
    return v;
  }
  return undefined;
}

function numericFields(o: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (o && typeof o === 'object') {
    for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  }
  return out;
}

export function looksLikeJsonLines(text: string): boolean {
  return text.trimStart().startsWith('{');
}

export function parseMemStatsSeries(source: string, text: string): MemStatsSeries {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const raw: Array<{ abs?: number; point: Omit<MemStatsPoint, 't'> }> = [];
  lines.forEach((line, i) => {
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new CorruptInputError(
        source,
        `MemStats series line ${i + 1} is not valid JSON${i === lines.length - 1 ? ' (truncated file?)' : ''}`,
      );
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj))
      throw new CorruptInputError(source, `MemStats series line ${i + 1} is not a JSON object`);
    const inner = (obj.MemStats && typeof obj.MemStats === 'object' ? obj.MemStats : obj) as Record<string, unknown>;
    const stats = numericFields(inner);
    if (stats.HeapInuse === undefined && stats.HeapAlloc === undefined) {
      throw new WrongInputKindError(
        source,
        `line ${i + 1} is JSON but not a runtime.MemStats (no HeapAlloc/HeapInuse field)`,
      );
    }
    const t = timeKeys.map((k) => seconds(obj[k])).find((v) => v !== undefined);
    const numGoroutine = typeof obj.NumGoroutine === 'number' ? obj.NumGoroutine : undefined;
    raw.push({
      ...(t !== undefined ? { abs: t } : {}),
      point: {
        stats,
        metrics: numericFields(obj.Metrics),
        app: numericFields(obj.App),
        ...(numGoroutine !== undefined ? { numGoroutine } : {}),
      },
    });
  });
  if (raw.length === 0) throw new CorruptInputError(source, 'MemStats series has no lines');
  const timed = raw.every((r) => r.abs !== undefined);
  const t0 = timed ? raw[0]!.abs! : 0;
  const points = raw.map((r, i) => ({ t: timed ? r.abs! - t0 : i, ...r.point }));
  if (timed) points.sort((a, b) => a.t - b.t);
  return { source, timed, points };
}
