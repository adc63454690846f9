// Putting the rules together. diagnoseParsed is the pure core (no I/O, browser-safe): it runs
// the goroutine and heap rules, folds heap growth that is only a side effect of parked
// goroutines (their payloads, sudogs, g descriptors) into the goroutine finding instead of
// reporting it twice, ranks by confidence then by the bytes each leak holds, and writes a
// summary that says "no leak found" with the figures behind it when nothing was flagged.
import { analyzeGoroutines } from './goroutine-rules.js';
import { analyzeHeap } from './heap-rules.js';
import { longestSeries, seriesCurves, seriesSummary, stackBytesPerGoroutine } from './series.js';
import { formatBytes } from './stats.js';
import { NoInputsError } from './errors.js';
import type {
  Finding,
  GoroutineSnapshot,
  HeapSnapshot,
  LeakReport,
  LeakSummary,
  MemStatsSeries,
  ParsedInput,
} from './types.js';

const confidenceRank = { high: 0, medium: 1, low: 2 } as const;

export function diagnoseParsed(inputs: ParsedInput[], sources: string[] = []): LeakReport {
  if (inputs.length === 0)
    throw new NoInputsError(
      sources.join(', ') || '(no inputs)',
      'nothing to diagnose: give heap profiles, goroutine profiles or a MemStats series',
    );
  const heaps: HeapSnapshot[] = [];
  const goroutines: GoroutineSnapshot[] = [];
  const series: MemStatsSeries[] = [];
  for (const i of inputs) {
    if (i.kind === 'heap') heaps.push(i.snapshot);
    else if (i.kind === 'goroutine') goroutines.push(i.snapshot);
    else series.push(i.series);
  }
  const main = longestSeries(series);
  const symbols = new Map<number, string>();
  for (const h of heaps) for (const [k, v] of h.symbols) symbols.set(k, v);

  const g = analyzeGoroutines(goroutines, symbols, stackBytesPerGoroutine(main));
  const h = analyzeHeap(heaps, series);

  // Fold heap growth explained by the leaked goroutines.
  const heapFindings: Finding[] = [];
  for (const hf of h.findings) {
    const objGrowth = h.growthObjects.get(hf) ?? 0;
    const owner =
      hf.kind === 'unbounded-growth'
        ? [...g.leakFunctions.entries()].find(
            ([, info]) =>
              info.functions.has(hf.function) ||
              (info.growth > 0 && objGrowth > 0 && objGrowth / info.growth >= 0.25 && objGrowth / info.growth <= 4),
          )
        : undefined;
    if (owner) {
      const [gf] = owner;
      gf.evidence.pinnedHeapBytes = (Number(gf.evidence.pinnedHeapBytes) || 0) + Number(hf.evidence.inuseBytesLast);
      gf.evidence.pinnedHeapSites = [
        ...((gf.evidence.pinnedHeapSites as string[] | undefined) ?? []),
        `${hf.function} ${hf.file}:${hf.line}`,
      ];
      gf.impactBytes += hf.impactBytes;
    } else heapFindings.push(hf);
  }
  // Goroutine descriptors (runtime.malg) have no user frame; count them with the goroutine leak.
  const findings = [...g.findings, ...heapFindings].sort(
    (a, b) => confidenceRank[a.confidence] - confidenceRank[b.confidence] || b.impactBytes - a.impactBytes,
  );

  const summary: LeakSummary = {
    verdict:
      findings.length === 0 ? 'no leak found' : `${findings.length} likely leak${findings.length > 1 ? 's' : ''} found`,
    inputs: {
      heapProfiles: heaps.length,
      goroutineProfiles: goroutines.length,
      memstatsPoints: series.reduce((n, s) => n + s.points.length, 0),
      sources,
    },
    notes: [...g.notes],
  };
  if (g.timeline.length > 0) {
    summary.goroutines = {
      first: g.totals[0]!,
      last: g.totals[g.totals.length - 1]!,
      snapshots: g.timeline.length,
      ...(g.seconds !== undefined ? { seconds: Math.round(g.seconds * 1000) / 1000 } : {}),
    };
  }
  if (h.ordered.length > 0) {
    const f = h.totals[0]!;
    const l = h.totals[h.totals.length - 1]!;
    summary.heap = {
      inuseFirst: Math.round(f.inuseSpace),
      inuseLast: Math.round(l.inuseSpace),
      objectsFirst: Math.round(f.inuseObjects),
      objectsLast: Math.round(l.inuseObjects),
      snapshots: h.ordered.length,
      ...(h.seconds !== undefined ? { seconds: Math.round(h.seconds * 1000) / 1000 } : {}),
    };
  }
  if (main) summary.series = seriesSummary(main);
  if (findings.length === 0) summary.notes.push(...healthyFigures(summary, h));
  if (summary.series?.idleNotReleased && summary.series.idleNotReleased > 16 << 20) {
    summary.notes.push(
      `${formatBytes(summary.series.idleNotReleased)} of heap is free but not yet returned to the OS (HeapIdle - HeapReleased): RSS stays high, but that is not a leak.`,
    );
  }
  if (heaps.length === 1)
    summary.notes.push(
      'Only one heap profile: growth cannot be measured, so heap findings need very strong static signals. Take two snapshots some time apart.',
    );
  if (goroutines.length > 0 && g.timeline.length === 1)
    summary.notes.push('Only one goroutine snapshot: growth cannot be measured.');
  return {
    findings,
    summary,
    curves: main ? seriesCurves(main) : [],
    growingStacks: [
      ...g.growing.map((s) => ({ ...s, unit: 'goroutines' as const })),
      ...h.growing.map((s) => ({ ...s, unit: 'bytes' as const })),
    ],
  };
}

function healthyFigures(summary: LeakSummary, h: ReturnType<typeof analyzeHeap>): string[] {
  const out: string[] = [];
  if (summary.goroutines)
    out.push(
      `goroutines: ${summary.goroutines.first} -> ${summary.goroutines.last} over ${summary.goroutines.snapshots} snapshot(s); no blocked stack grew`,
    );
  if (summary.heap)
    out.push(
      `live heap (profiled): ${formatBytes(summary.heap.inuseFirst)} -> ${formatBytes(summary.heap.inuseLast)}, objects ${summary.heap.objectsFirst} -> ${summary.heap.objectsLast}`,
    );
  const n = h.ordered.length;
  if (n > 0) {
    const busiest = h.sites
      .filter((s) => s.user)
      .sort((a, b) => b.snaps[n - 1]!.allocSpace - a.snaps[n - 1]!.allocSpace)[0];
    if (busiest?.user) {
      const L = busiest.snaps[n - 1]!;
      const kept = L.allocSpace > 0 ? L.inuseSpace / L.allocSpace : 0;
      out.push(
        `busiest allocation site ${busiest.user.function} (${busiest.user.file}:${busiest.user.line}) allocated ${formatBytes(L.allocSpace)}, ${(kept * 100).toFixed(1)}% still live: churn, not retention`,
      );
    }
  }
  if (summary.series) {
    const s = summary.series;
    if (s.numGoroutineSlopePerSec !== undefined)
      out.push(`NumGoroutine trend ${s.numGoroutineSlopePerSec}/s over ${s.seconds.toFixed(1)} s`);
    const liveTrend =
      s.liveHeapEstimateSlopePerSec !== undefined
        ? `live heap estimate (NextGC/2) ${formatBytes(s.liveHeapEstimateLast ?? 0)}, trend ${formatBytes(s.liveHeapEstimateSlopePerSec)}/s`
        : undefined;
    out.push(`${liveTrend ?? 'MemStats'}; ${s.numGC ?? '?'} GCs, ${formatBytes(s.totalAlloc ?? 0)} allocated in total`);
  }
  return out;
}
