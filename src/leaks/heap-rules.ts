// Heap leaks, judged per allocation site (the user frame of each sample) across heap profiles
// ordered by time. Go's heap writer hides leading runtime frames, so a map's bucket array is
// charged to the user's `m[k] = v` line, and time.After's timer to time.NewTimer under the
// user's loop. What tells the kinds apart (see shared/reference/leak-diagnosis.md §3.2):
//  - timers: most of the site's live bytes sit under time.NewTimer/NewTicker/After/startTimer;
//  - sub-slice retention: a steady stream of same-size large objects (>= 64 KiB), nearly all
//    still live. The profile cannot show the sub-slice, so this is only ever "likely";
//  - map that no longer shrinks: one big live object at the top of an exact x2 "doubling ladder"
//    of freed ones (a bucket array's growth history), while the population it held has dropped
//    (objects freed at the site, or an application gauge fell);
//  - unbounded growth: any other site whose live bytes keep rising.
import { formatStack, frameKey, isProfilerFrame, userFrame } from './frames.js';
import { formatBytes, round } from './stats.js';
import type { Confidence, Finding, Frame, HeapSnapshot, MemStatsSeries } from './types.js';

const timerFunctions = new Set([
  'time.NewTimer',
  'time.NewTicker',
  'time.After',
  'time.AfterFunc',
  'time.Tick',
  'time.startTimer',
  'time.Sleep',
]);
const LARGE_OBJECT = 64 << 10;
const MiB = 1 << 20;

interface SizeBucket {
  inuseObjects: number;
  inuseSpace: number;
  allocObjects: number;
}

interface SiteSnap {
  inuseSpace: number;
  inuseObjects: number;
  allocSpace: number;
  allocObjects: number;
  timerInuseSpace: number;
  timerInuseObjects: number;
  bySize: Map<number, SizeBucket>;
  stack: Frame[];
  topInuse: number;
}

function emptySnap(): SiteSnap {
  return {
    inuseSpace: 0,
    inuseObjects: 0,
    allocSpace: 0,
    allocObjects: 0,
    timerInuseSpace: 0,
    timerInuseObjects: 0,
    bySize: new Map(),
    stack: [],
    topInuse: -1,
  };
}

export interface HeapSite {
  key: string;
  user: Frame | undefined;
  snaps: SiteSnap[];
}

export interface HeapAnalysis {
  findings: Finding[];
  /** Per finding, the site's object growth, for folding into goroutine findings. */
  growthObjects: Map<Finding, number>;
  sites: HeapSite[];
  ordered: HeapSnapshot[];
  totals: Array<{ inuseSpace: number; inuseObjects: number; allocSpace: number }>;
  seconds?: number;
  growing: Array<{ label: string; values: number[]; stack: string[] }>;
}

export function collectSites(ordered: HeapSnapshot[]): { sites: HeapSite[]; totals: HeapAnalysis['totals'] } {
  const sites = new Map<string, HeapSite>();
  const totals = ordered.map(() => ({ inuseSpace: 0, inuseObjects: 0, allocSpace: 0 }));
  ordered.forEach((snap, i) => {
    for (const s of snap.samples) {
      if (s.stack.some((f) => isProfilerFrame(f.function))) continue;
      const user = userFrame(s.stack);
      const key = user ? frameKey(user) : 'runtime-internal';
      let site = sites.get(key);
      if (!site) {
        site = { key, user, snaps: ordered.map(emptySnap) };
        sites.set(key, site);
      }
      const ss = site.snaps[i]!;
      ss.inuseSpace += s.inuseSpace;
      ss.inuseObjects += s.inuseObjects;
      ss.allocSpace += s.allocSpace;
      ss.allocObjects += s.allocObjects;
      const leading = user ? s.stack.slice(0, s.stack.indexOf(user)) : s.stack;
      if (leading.some((f) => timerFunctions.has(f.function))) {
        ss.timerInuseSpace += s.inuseSpace;
        ss.timerInuseObjects += s.inuseObjects;
      }
      const b = ss.bySize.get(s.objectSize) ?? { inuseObjects: 0, inuseSpace: 0, allocObjects: 0 };
      b.inuseObjects += s.inuseObjects;
      b.inuseSpace += s.inuseSpace;
      b.allocObjects += s.allocObjects;
      ss.bySize.set(s.objectSize, b);
      if (s.inuseSpace > ss.topInuse) {
        ss.topInuse = s.inuseSpace;
        ss.stack = s.stack;
      }
      totals[i]!.inuseSpace += s.inuseSpace;
      totals[i]!.inuseObjects += s.inuseObjects;
      totals[i]!.allocSpace += s.allocSpace;
    }
  });
  return { sites: [...sites.values()], totals };
}

function isPowerOfTwoRatio(big: number, small: number): boolean {
  const r = Math.log2(big / small);
  return r >= 0.97 && Math.abs(r - Math.round(r)) < 0.04;
}

/** The largest live object (>= 1 MiB) and the freed sizes below it that form an exact x2 ladder. */
function doublingLadder(s: SiteSnap): { big: number; steps: number[] } | undefined {
  const live = [...s.bySize.entries()].filter(([size, b]) => b.inuseObjects > 0 && size >= MiB).map(([size]) => size);
  if (live.length === 0) return undefined;
  const big = Math.max(...live);
  const steps = [...s.bySize.entries()]
    .filter(([size, b]) => size < big && size >= LARGE_OBJECT && b.allocObjects > 0 && isPowerOfTwoRatio(big, size))
    .map(([size]) => size)
    .sort((a, b) => b - a);
  return steps.length >= 2 ? { big, steps } : undefined;
}

function gaugeDrop(series: MemStatsSeries[]): { name: string; peak: number; last: number } | undefined {
  for (const s of series) {
    const names = new Set(s.points.flatMap((p) => Object.keys(p.app)));
    for (const name of names) {
      const values = s.points.map((p) => p.app[name]).filter((v): v is number => v !== undefined);
      if (values.length < 2) continue;
      const peak = Math.max(...values);
      const last = values[values.length - 1]!;
      if (peak >= 100 && last <= 0.5 * peak) return { name, peak, last };
    }
  }
  return undefined;
}

const fixes = {
  timer:
    'Timers and tickers that are never stopped stay live until they fire (Tickers forever, before Go 1.23). Create one timer outside the loop and Reset it, or keep the *Timer from time.NewTimer and call timer.Stop() (ticker.Stop() via defer) when done; do not use time.After in a hot loop.',
  subslice:
    'Large buffers from this site are never freed: a small sub-slice (or substring) kept in a long-lived place pins the whole backing array. Copy the part you keep (bytes.Clone / append([]byte(nil), b[:n]...) / strings.Clone) so the big buffer can be collected.',
  map: 'A Go map never shrinks its bucket array: after the entries are deleted the memory stays. Rebuild the map (copy the survivors into a fresh make(map...)) after a large delete, or bound it so it never grows that big.',
  unbounded:
    'Live memory at this site only grows. Bound the structure (an LRU or size cap with eviction, a TTL, or trimming the slice) or delete entries when their owner is done with them.',
};

export function analyzeHeap(heaps: HeapSnapshot[], series: MemStatsSeries[]): HeapAnalysis {
  const ordered = [...heaps].sort((a, b) => a.timeNanos - b.timeNanos);
  const { sites, totals } = collectSites(ordered);
  const n = ordered.length;
  const seconds =
    n >= 2 && ordered[0]!.timeNanos > 0 ? (ordered[n - 1]!.timeNanos - ordered[0]!.timeNanos) / 1e9 : undefined;
  const findings: Finding[] = [];
  const growthObjects = new Map<Finding, number>();
  const growing: HeapAnalysis['growing'] = [];
  if (n === 0) return { findings, growthObjects, sites, ordered, totals, growing };
  const totalLast = totals[n - 1]!.inuseSpace;
  const objectsMax = Math.max(...totals.map((t) => t.inuseObjects));
  const dropGauge = gaugeDrop(series);

  for (const site of sites) {
    if (!site.user) continue; // runtime-internal (goroutine descriptors and the like)
    const F = site.snaps[0]!;
    const L = site.snaps[n - 1]!;
    const P = site.snaps[Math.max(0, n - 2)]!;
    const growth = L.inuseSpace - F.inuseSpace;
    const objGrowth = L.inuseObjects - F.inuseObjects;
    const stillGrowing = n < 3 || L.inuseSpace - P.inuseSpace > 0.05 * Math.max(growth, 1);
    const growingSite =
      n >= 2 && growth >= 256 << 10 && growth >= 0.05 * totalLast && growth >= 0.2 * F.inuseSpace && stillGrowing;
    const kept = L.allocSpace > 0 ? L.inuseSpace / L.allocSpace : 0;
    const avg = L.inuseObjects > 0 ? L.inuseSpace / L.inuseObjects : 0;
    const base = {
      inuseBytesFirst: Math.round(F.inuseSpace),
      inuseBytesLast: Math.round(L.inuseSpace),
      growthBytes: Math.round(growth),
      inuseObjectsFirst: Math.round(F.inuseObjects),
      inuseObjectsLast: Math.round(L.inuseObjects),
      averageObjectBytes: Math.round(avg),
      keptFraction: round(kept, 3),
      shareOfHeap: round(totalLast > 0 ? L.inuseSpace / totalLast : 0, 3),
      snapshots: n,
      ...(seconds ? { growthBytesPerSecond: Math.round(growth / seconds) } : {}),
    };
    const user = site.user;
    const make = (
      kind: Finding['kind'],
      confidence: Confidence,
      fix: string,
      title: string,
      extra: Finding['evidence'] = {},
    ): Finding => ({
      kind,
      function: user.function,
      file: user.file,
      line: user.line,
      confidence,
      evidence: { ...base, ...extra, stack: formatStack(L.stack.length > 0 ? L.stack : F.stack) },
      fix,
      title,
      impactBytes: Math.max(0, L.inuseSpace),
    });
    let finding: Finding | undefined;

    const timerShare = L.inuseSpace > 0 ? L.timerInuseSpace / L.inuseSpace : 0;
    const ladder = doublingLadder(L);
    const bigLive = ladder ? (L.bySize.get(ladder.big)?.inuseObjects ?? 0) : 0;
    if (timerShare >= 0.5 && (growingSite || (n === 1 && L.timerInuseObjects >= 10_000))) {
      finding = make(
        'timer-not-stopped',
        growingSite && L.timerInuseObjects >= 1000 ? 'high' : 'low',
        fixes.timer,
        `${Math.round(L.timerInuseObjects)} live timer objects (${formatBytes(L.timerInuseSpace)}) created under ${user.function}`,
        {
          timerObjectsFirst: Math.round(F.timerInuseObjects),
          timerObjectsLast: Math.round(L.timerInuseObjects),
          timerBytesLast: Math.round(L.timerInuseSpace),
        },
      );
    } else if (ladder && bigLive > 0) {
      const others = site.snaps.map((s) => s.inuseObjects - (s.bySize.get(ladder.big)?.inuseObjects ?? 0));
      const othersPeak = Math.max(...others);
      const othersLast = others[n - 1]!;
      const siteDrop = othersPeak >= 100 && othersLast <= 0.5 * othersPeak;
      const heapDrop = n >= 2 && objectsMax >= 1000 && totals[n - 1]!.inuseObjects <= 0.5 * objectsMax;
      if ((siteDrop || heapDrop || dropGauge) && !growingSite) {
        const confidence: Confidence = (siteDrop || heapDrop) && dropGauge ? 'high' : 'medium';
        finding = make(
          'map-no-shrink',
          confidence,
          fixes.map,
          `a ${formatBytes(ladder.big)} bucket array at ${user.function} stays live after its entries were removed`,
          {
            largestLiveObjectBytes: ladder.big,
            doublingLadderBytes: ladder.steps.slice(0, 8),
            objectsAtSitePeak: Math.round(othersPeak),
            objectsAtSiteLast: Math.round(othersLast),
            ...(dropGauge ? { gauge: dropGauge.name, gaugePeak: dropGauge.peak, gaugeLast: dropGauge.last } : {}),
          },
        );
      }
    }
    if (!finding && avg >= LARGE_OBJECT && !ladder) {
      const sizes = [...L.bySize.entries()]
        .filter(([, b]) => b.inuseObjects > 0)
        .sort((a, b) => b[1].inuseSpace - a[1].inuseSpace);
      const dominant = sizes[0];
      const uniform = dominant !== undefined && dominant[1].inuseSpace >= 0.8 * L.inuseSpace;
      const manyLive = L.inuseObjects >= 8 && kept >= 0.75 && uniform;
      if (
        manyLive &&
        (growingSite
          ? objGrowth >= 4
          : n === 1 && L.inuseObjects >= 32 && kept >= 0.9 && L.inuseSpace >= 0.3 * totalLast)
      ) {
        finding = make(
          'subslice-retention',
          growingSite ? 'medium' : 'low',
          fixes.subslice,
          `${Math.round(L.inuseObjects)} buffers of ${formatBytes(dominant[0])} from ${user.function} are all still live (likely pinned by small sub-slices)`,
          { bufferBytes: dominant[0] },
        );
      }
    }
    if (!finding && growingSite) {
      const monotonic = site.snaps.every((s, i) => i === 0 || s.inuseSpace >= site.snaps[i - 1]!.inuseSpace);
      finding = make(
        'unbounded-growth',
        monotonic && kept >= 0.5 ? 'high' : 'medium',
        fixes.unbounded,
        `live memory at ${user.function} grew by ${formatBytes(growth)} to ${formatBytes(L.inuseSpace)} (${Math.round(L.inuseObjects)} objects)`,
        ladder ? { largestLiveObjectBytes: ladder.big, doublingLadderBytes: ladder.steps.slice(0, 8) } : {},
      );
    }
    if (finding) {
      findings.push(finding);
      growthObjects.set(finding, objGrowth);
    }
    if (n >= 2 && (finding || growingSite)) {
      growing.push({
        label: `${finding?.kind ?? 'growth'} ${user.function}`,
        values: site.snaps.map((s) => Math.round(s.inuseSpace)),
        stack: formatStack(L.stack),
      });
    }
  }
  return { findings, growthObjects, sites, ordered, totals, ...(seconds !== undefined ? { seconds } : {}), growing };
}
