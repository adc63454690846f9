// MemStats: Go's runtime.MemStats, with Go's field meanings, computed from the counters in the buffer.
//
// Go keeps per-P counters and global ones and derives every field from them; so do we:
//   TotalAlloc = large bytes + Σ objects credited to class c × size of c
//   Mallocs    = large objects + Σ class objects + tiny sub-allocations
//   Frees      = large frees + Σ class frees + tiny sub-allocations (Go counts each tiny sub-allocation
//                as freed the moment it is allocated: its 16-byte block is the heap object)
//   HeapAlloc  = TotalAlloc − bytes freed;  HeapObjects = Mallocs − Frees
// Go credits small allocations to a P's counters when a span leaves its mcache, and ReadMemStats stops
// the world to flush every mcache first. We read the same credits plus, for spans still cached, the
// slots handed out since they were cached — exact, without stopping any thread. Like Go's, reading
// drops the calling P's tiny block.
//
// Where the buffer's bytes go, every byte counted once (Sys = the buffer's length):
//   HeapSys      pages the page allocator manages (in use + idle)
//   MSpanSys     chunks holding span records (with their bitmaps)
//   MCacheSys    the P table;  GCSys: spans table, page bitmaps and summaries;  OtherSys: the rest

import {
  H_ATTACHED_P,
  H_FIXALLOC_PAGES,
  H_INUSE_PAGES,
  H_MAPPED_PAGES,
  H_RELEASED_PAGES,
  H_SPAN_RECORD_BYTES,
  MCACHE_BYTES,
  MCACHE_WORDS,
  PAGE_SIZE,
  PS_LARGE_ALLOC,
  PS_LARGE_ALLOC_COUNT,
  PS_LARGE_FREE,
  PS_LARGE_FREE_COUNT,
  PS_SMALL_ALLOC,
  PS_SMALL_FREE,
  PS_TINY_ALLOCS,
  P_ALLOC,
  P_STATS_WORD,
  S_SPANCLASS,
} from './layout.js';
import { allocatedSinceCache } from './mspan.js';
import { NUM_SIZE_CLASSES, NUM_SPAN_CLASSES, classToSize } from './sizeclasses.js';
import type { HeapState } from './state.js';
import { readGcStats } from './gc/cycle.js';

/** One row of MemStats.BySize: Go's names, with lower-case aliases. */
export interface SizeClassStats {
  Size: number;
  Mallocs: number;
  Frees: number;
  size: number;
  mallocs: number;
  frees: number;
}

/** runtime.MemStats, field for field (the GC fields stay at their GC-off values until a collector runs). */
export interface MemStats {
  Alloc: number;
  TotalAlloc: number;
  Sys: number;
  Lookups: number;
  Mallocs: number;
  Frees: number;
  HeapAlloc: number;
  HeapSys: number;
  HeapIdle: number;
  HeapInuse: number;
  HeapReleased: number;
  HeapObjects: number;
  StackInuse: number;
  StackSys: number;
  MSpanInuse: number;
  MSpanSys: number;
  MCacheInuse: number;
  MCacheSys: number;
  BuckHashSys: number;
  GCSys: number;
  OtherSys: number;
  NextGC: number;
  LastGC: number;
  PauseTotalNs: number;
  PauseNs: number[];
  PauseEnd: number[];
  NumGC: number;
  NumForcedGC: number;
  GCCPUFraction: number;
  EnableGC: boolean;
  DebugGC: boolean;
  BySize: SizeClassStats[];
}

/** Go reports BySize for classes 0..60 only (its array predates the larger classes). */
const BY_SIZE_CLASSES = 61;
/** Go's heap goal before the first collection: 4 MiB × GOGC/100. */
const HEAP_MINIMUM = 4 << 20;

/** Objects and bytes per class, tiny and large counts, summed over every P (attached or not). */
export interface HeapCounters {
  smallAlloc: Float64Array;
  smallFree: Float64Array;
  tinyAllocs: number;
  largeAlloc: number;
  largeAllocCount: number;
  largeFree: number;
  largeFreeCount: number;
}

export function sumCounters(h: HeapState): HeapCounters {
  const f64 = h.f64;
  const i32 = h.i32;
  const c: HeapCounters = {
    smallAlloc: new Float64Array(NUM_SIZE_CLASSES),
    smallFree: new Float64Array(NUM_SIZE_CLASSES),
    tinyAllocs: 0,
    largeAlloc: 0,
    largeAllocCount: 0,
    largeFree: 0,
    largeFreeCount: 0,
  };
  for (let p = 0; p < h.maxP; p++) {
    const mc = h.pWord + p * MCACHE_WORDS;
    const ps = (mc + P_STATS_WORD) >>> 1;
    for (let k = 1; k < NUM_SIZE_CLASSES; k++) {
      c.smallAlloc[k] += f64[ps + PS_SMALL_ALLOC + k]!;
      c.smallFree[k] += f64[ps + PS_SMALL_FREE + k]!;
    }
    c.tinyAllocs += f64[ps + PS_TINY_ALLOCS]!;
    c.largeAlloc += f64[ps + PS_LARGE_ALLOC]!;
    c.largeAllocCount += f64[ps + PS_LARGE_ALLOC_COUNT]!;
    c.largeFree += f64[ps + PS_LARGE_FREE]!;
    c.largeFreeCount += f64[ps + PS_LARGE_FREE_COUNT]!;
    // Slots handed out from spans still cached, not yet credited.
    for (let spc = 2; spc < NUM_SPAN_CLASSES; spc++) {
      const s = h.shared ? Atomics.load(i32, mc + P_ALLOC + spc) : i32[mc + P_ALLOC + spc]!;
      if (s === 0) continue;
      c.smallAlloc[i32[s + S_SPANCLASS]! >>> 1] += allocatedSinceCache(h, s);
    }
  }
  return c;
}

export function readMemStats(h: HeapState): MemStats {
  const i32 = h.i32;
  const c = sumCounters(h);
  let totalAlloc = c.largeAlloc;
  let totalFree = c.largeFree;
  let mallocs = c.largeAllocCount + c.tinyAllocs;
  let frees = c.largeFreeCount + c.tinyAllocs;
  for (let k = 1; k < NUM_SIZE_CLASSES; k++) {
    totalAlloc += c.smallAlloc[k]! * classToSize[k]!;
    totalFree += c.smallFree[k]! * classToSize[k]!;
    mallocs += c.smallAlloc[k]!;
    frees += c.smallFree[k]!;
  }
  const bySize: SizeClassStats[] = [];
  for (let k = 0; k < BY_SIZE_CLASSES; k++) {
    const size = classToSize[k]!;
    const m = c.smallAlloc[k]!;
    const f = c.smallFree[k]!;
    bySize.push({ Size: size, Mallocs: m, Frees: f, size, mallocs: m, frees: f });
  }

  const mapped = i32[H_MAPPED_PAGES]! * PAGE_SIZE;
  const metaBytes = h.metaPages * PAGE_SIZE;
  const mspanSys = i32[H_FIXALLOC_PAGES]! * PAGE_SIZE;
  const heapSys = mapped - metaBytes - mspanSys;
  const heapInuse = i32[H_INUSE_PAGES]! * PAGE_SIZE;
  const mcacheSys = h.maxP * MCACHE_BYTES;
  const gcSys =
    (h.pallocWord - h.spansWord + 2 * (h.maxPages >>> 5) + 3 * h.levelEntries.reduce((a, b) => a + b, 0)) * 4;
  const heapAlloc = totalAlloc - totalFree;
  const gc = readGcStats(h);
  return {
    Alloc: heapAlloc,
    TotalAlloc: totalAlloc,
    Sys: mapped,
    Lookups: 0,
    Mallocs: mallocs,
    Frees: frees,
    HeapAlloc: heapAlloc,
    HeapSys: heapSys,
    HeapIdle: heapSys - heapInuse,
    HeapInuse: heapInuse,
    HeapReleased: i32[H_RELEASED_PAGES]! * PAGE_SIZE,
    HeapObjects: mallocs - frees,
    StackInuse: 0,
    StackSys: 0,
    MSpanInuse: i32[H_SPAN_RECORD_BYTES]!,
    MSpanSys: mspanSys,
    MCacheInuse: i32[H_ATTACHED_P]! * MCACHE_BYTES,
    MCacheSys: mcacheSys,
    BuckHashSys: 0,
    GCSys: gcSys,
    OtherSys: metaBytes - mcacheSys - gcSys,
    NextGC: gc?.NextGC ?? HEAP_MINIMUM,
    LastGC: gc?.LastGC ?? 0,
    PauseTotalNs: gc?.PauseTotalNs ?? 0,
    PauseNs: gc?.PauseNs ?? new Array<number>(256).fill(0),
    PauseEnd: gc?.PauseEnd ?? new Array<number>(256).fill(0),
    NumGC: gc?.NumGC ?? 0,
    NumForcedGC: gc?.NumForcedGC ?? 0,
    GCCPUFraction: gc?.GCCPUFraction ?? 0,
    EnableGC: true,
    DebugGC: false,
    BySize: bySize,
  };
}
