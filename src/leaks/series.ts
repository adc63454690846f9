// Trends from a MemStats series: slopes per second of the gauges a leak moves (NumGoroutine,
// HeapInuse, HeapObjects, StackInuse), memory that is free but not yet returned to the OS
// (HeapIdle - HeapReleased, which is not a leak), and the curves the HTML report draws.
import { slope } from './stats.js';
import type { LeakSummary, MemStatsSeries, SeriesCurve } from './types.js';

export function longestSeries(series: MemStatsSeries[]): MemStatsSeries | undefined {
  return [...series].sort((a, b) => b.points.length - a.points.length)[0];
}

export function seriesCurves(s: MemStatsSeries): SeriesCurve[] {
  const curve = (
    name: string,
    unit: SeriesCurve['unit'],
    pick: (p: MemStatsSeries['points'][number]) => number | undefined,
  ): SeriesCurve | undefined => {
    const points = s.points
      .map((p) => [p.t, pick(p)] as const)
      .filter((p): p is readonly [number, number] => p[1] !== undefined)
      .map(([t, v]) => [t, v] as [number, number]);
    return points.length >= 2 ? { name, unit, points } : undefined;
  };
  const out = [
    curve('HeapInuse', 'bytes', (p) => p.stats.HeapInuse),
    curve('HeapAlloc', 'bytes', (p) => p.stats.HeapAlloc),
    curve('live heap estimate (NextGC/2)', 'bytes', (p) =>
      p.stats.NextGC !== undefined ? p.stats.NextGC / 2 : undefined,
    ),
    curve('StackInuse', 'bytes', (p) => p.stats.StackInuse),
    curve('HeapObjects', 'count', (p) => p.stats.HeapObjects),
    curve('NumGoroutine', 'count', (p) => p.numGoroutine ?? p.metrics['/sched/goroutines:goroutines']),
  ];
  const appNames = new Set(s.points.flatMap((p) => Object.keys(p.app)));
  for (const name of appNames) out.push(curve(`app: ${name}`, 'count', (p) => p.app[name]));
  return out.filter((c): c is SeriesCurve => c !== undefined);
}

export function seriesSummary(s: MemStatsSeries): NonNullable<LeakSummary['series']> {
  const pts = s.points;
  const last = pts[pts.length - 1]!;
  const per = (pick: (p: (typeof pts)[number]) => number | undefined): number | undefined => {
    const xy = pts
      .map((p) => [p.t, pick(p)] as const)
      .filter((p): p is readonly [number, number] => p[1] !== undefined);
    return xy.length >= 2 ? slope(xy) : undefined;
  };
  const out: NonNullable<LeakSummary['series']> = { seconds: last.t - pts[0]!.t, points: pts.length };
  const g = per((p) => p.numGoroutine ?? p.metrics['/sched/goroutines:goroutines']);
  if (g !== undefined) out.numGoroutineSlopePerSec = Math.round(g * 10) / 10;
  const h = per((p) => p.stats.HeapInuse);
  if (h !== undefined) out.heapInuseSlopePerSec = Math.round(h);
  const live = per((p) => (p.stats.NextGC !== undefined ? p.stats.NextGC / 2 : undefined));
  if (live !== undefined) out.liveHeapEstimateSlopePerSec = Math.round(live);
  if (last.stats.NextGC !== undefined) out.liveHeapEstimateLast = last.stats.NextGC / 2;
  const o = per((p) => p.stats.HeapObjects);
  if (o !== undefined) out.heapObjectsSlopePerSec = Math.round(o);
  if (last.stats.HeapInuse !== undefined) out.heapInuseLast = last.stats.HeapInuse;
  if (last.stats.HeapIdle !== undefined && last.stats.HeapReleased !== undefined)
    out.idleNotReleased = last.stats.HeapIdle - last.stats.HeapReleased;
  if (last.stats.NumGC !== undefined) out.numGC = last.stats.NumGC;
  if (last.stats.TotalAlloc !== undefined) out.totalAlloc = last.stats.TotalAlloc;
  return out;
}

/** Stack bytes per goroutine at the last point that has both figures; Go's minimum stack is 2 KiB, we default to 8 KiB. */
export function stackBytesPerGoroutine(s: MemStatsSeries | undefined): number {
  const p = s?.points.filter((q) => q.stats.StackInuse !== undefined && (q.numGoroutine ?? 0) > 0).pop();
  return p ? p.stats.StackInuse! / p.numGoroutine! : 8192;
}
