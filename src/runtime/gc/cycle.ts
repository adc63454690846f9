// The GC cycle, as Go runs it (gcStart → concurrent mark → gcMarkDone/gcMarkTermination → sweep):
//
//   sweep termination (pause 1)  finish sweeping the last cycle's spans; phase = mark (write barrier
//                                and allocate-black on); grey the roots: root handles, every P's
//                                scope stack, the tiny block, queued finalizer objects and whatever
//                                objects with finalizers point to (not the objects themselves)
//   mark                         incremental: mark assists in allocation, heap.gcStep, or heap.gc
//                                draining the grey queue
//   mark termination (pause 2)   objects with finalizers left white are marked (resurrected for one
//                                cycle) and their finalizers queued; the GC mcache is flushed so
//                                spans cached during marking get swept; sweepgen += 2; phase = off;
//                                the pacer sets the next goal and trigger; statistics and gctrace
//   sweep                        lazy (spans.ts), finished at the next sweep termination or by heap.gc
//
// Pause times are measured with performance.now() and recorded as Go records them (PauseNs is the sum
// of both pauses per cycle). Finalizers run on the thread that set them, outside any cycle: at the end
// of heap.gc(), or in a microtask after a cycle that ended inside an allocation.

import type { MemStats } from '../stats.js';
import {
  GC_MARK,
  GC_MARKTERM,
  GC_OFF,
  GC_REGION_WORDS,
  GF_ASSIST_CREDIT,
  GF_ASSIST_MS,
  GF_BG_BYTES,
  GF_BG_CREDIT,
  GF_BG_MS,
  GF_BG_SCAN,
  GF_BYTES_MARKED,
  GF_CONS_MARK,
  GF_GC_CPU_NS,
  GF_GLOBALS_SCAN,
  GF_HEAP_AT_START,
  GF_HEAP_GOAL,
  GF_HEAP_LIVE,
  GF_HEAP_MARKED,
  GF_LAST_GC,
  GF_LAST_HEAP_SCAN,
  GF_MARK_MS,
  GF_MARK_START,
  GF_MEMORY_LIMIT,
  GF_PAUSE_END,
  GF_PAUSE_NS,
  GF_PAUSE_TOTAL,
  GF_SCAN_WORK,
  GF_STACK_SCAN,
  GF_START,
  GF_STW1_MS,
  GF_TRIGGER,
  GF_TRIGGERED_AT,
  G_BG_BUSY,
  G_BG_CYCLE,
  G_BG_WAKE,
  G_F64,
  G_MARK_DONE,
  G_FINALIZERS,
  G_GC_PERCENT,
  G_NEXT_FIN_ID,
  G_STACK_SCAN_IDX,
  G_STACK_SCAN_P,
  G_NUM_FORCED,
  G_NUM_GC,
  G_PHASE,
  G_ROOTS,
  G_TINY,
  G_TINY_OFFSET,
  G_TINY_SPAN,
  H_ATTACHED_P,
  H_GC,
  H_INUSE_PAGES,
  H_MAPPED_PAGES,
  H_RELEASED_PAGES,
  H_SWEEPGEN,
  MCACHE_WORDS,
  PAGE_SIZE,
  P_ATTACHED,
  P_SCOPE,
  P_STATUS,
} from '../layout.js';
import type { Collector } from './collector.js';
import { GcUsageError } from './errors.js';
import { concurrent, drain, greyObject, greyQueueEmpty, isMarked, lockWork, setPhase, unlockWork } from './mark.js';
import { type PacerInput, assistRatio, consMarkEstimate, pace } from './pacer.js';
import { gcReleaseMcache, gcSweepAll } from './spans.js';
import { emitGcCycle, formatTrace } from './trace.js';
import { allocManual, vecData, vecLen, vecPush, vecSetLen } from './vec.js';
import { sumCounters } from '../stats.js';
import { classToSize, NUM_SIZE_CLASSES } from '../sizeclasses.js';

/** Go's gcOverAssistWork: an assist does at least this much scan work, to amortise its cost. */
const OVER_ASSIST_WORK = 64 << 10;

const nowMs = (): number => performance.timeOrigin + performance.now();

/** Makes the GC region on first use (one thread wins; the others wait for its word). */
export function collectorInit(c: Collector): number {
  const h = c.h;
  if (Atomics.compareExchange(h.i32, H_GC, 0, -1) !== 0) {
    let g: number;
    while ((g = Atomics.load(h.i32, H_GC)) <= 0) {
      if (h.canBlock) Atomics.wait(h.i32, H_GC, g, 1);
    }
    h.refreshViews();
    return g;
  }
  let g: number;
  try {
    g = allocManual(h, GC_REGION_WORDS);
  } catch (e) {
    Atomics.store(h.i32, H_GC, 0);
    throw e;
  }
  const i32 = h.i32;
  const f64 = h.f64;
  const gf = (g + G_F64) >>> 1;
  i32[g + G_PHASE] = GC_OFF;
  i32[g + G_GC_PERCENT] = 100;
  i32[g + G_NEXT_FIN_ID] = 1;
  f64[gf + GF_MEMORY_LIMIT] = Infinity;
  f64[gf + GF_START] = nowMs();
  f64[gf + GF_CONS_MARK] = 0;
  // Type ids 0 (none) and 1 (byte) exist from the start.
  c.g = g;
  c.gf = gf;
  vecPush(h, g + 11, 0); // G_TYPE_INDEX[0]: unused record
  vecPush(h, g + 8, 0);
  vecPush(h, g + 8, 0);
  vecPush(h, g + 8, 0);
  vecPush(h, g + 11, vecLen(h, g + 8));
  for (const w of [1, 1, 0]) vecPush(h, g + 8, w);
  commitPacer(c, 0);
  Atomics.store(h.i32, H_GC, g);
  if (h.shared) Atomics.notify(h.i32, H_GC);
  return g;
}

function pacerInput(c: Collector, heapMarked: number): PacerInput {
  const h = c.h;
  const i32 = h.i32;
  const f64 = h.f64;
  const gf = c.gf;
  // HeapAlloc only matters to the memory-limit goal; summing every P's counters is not free, so
  // mark termination skips it when no limit is set.
  let heapAlloc = 0;
  if (Number.isFinite(f64[gf + GF_MEMORY_LIMIT]!)) {
    const counters = sumCounters(h);
    heapAlloc = counters.largeAlloc - counters.largeFree;
    for (let k = 1; k < NUM_SIZE_CLASSES; k++)
      heapAlloc += (counters.smallAlloc[k]! - counters.smallFree[k]!) * classToSize[k]!;
  }
  const mapped = i32[H_MAPPED_PAGES]! * PAGE_SIZE;
  const released = i32[H_RELEASED_PAGES]! * PAGE_SIZE;
  const heapSys = mapped - h.metaPages * PAGE_SIZE; // close enough for the limit: span records count as heap
  return {
    gcPercent: i32[c.g + G_GC_PERCENT]!,
    memoryLimit: f64[gf + GF_MEMORY_LIMIT]!,
    heapMarked,
    stackScan: f64[gf + GF_STACK_SCAN]!,
    globalsScan: f64[gf + GF_GLOBALS_SCAN]!,
    lastHeapScan: f64[gf + GF_LAST_HEAP_SCAN]!,
    consMark: f64[gf + GF_CONS_MARK]!,
    mappedReady: mapped - released,
    heapFree: heapSys - i32[H_INUSE_PAGES]! * PAGE_SIZE - released,
    heapAlloc,
  };
}

/** gcControllerCommit: the goal and trigger for the heap as marked. */
function commitPacer(c: Collector, heapMarked: number): void {
  const out = pace(pacerInput(c, heapMarked));
  const f64 = c.h.f64;
  f64[c.gf + GF_HEAP_GOAL] = out.goal;
  f64[c.gf + GF_TRIGGER] = out.trigger;
}

/** After GOGC or the memory limit changes (Go recommits at once, too). */
export function commitNow(c: Collector): void {
  commitPacer(c, c.h.f64[c.gf + GF_HEAP_MARKED]!);
}

/** An allocation found heapLive past the trigger: start a cycle (or, over the memory limit, a full one). */
export function maybeTrigger(c: Collector): void {
  if (c.inCycle) return;
  gcStart(c, false);
}

/** Sweep termination and the root scan: the first pause. */
export function gcStart(c: Collector, forced: boolean): void {
  const h = c.h;
  const f64 = h.f64;
  const gf = c.gf;
  c.inCycle = true;
  // Finish the last cycle's sweep before stopping the world, as gcStart does (what is left when the
  // world stops — here nothing — is Go's finishsweep_m).
  const ts = performance.now();
  try {
    gcSweepAll(h, c.g);
  } finally {
    c.inCycle = false;
  }
  f64[gf + GF_GC_CPU_NS] += (performance.now() - ts) * 1e6;
  const t0 = performance.now();
  c.inCycle = true;
  try {
    h.refreshViews();
    const i32 = h.i32;
    i32[c.g + G_STACK_SCAN_P] = 0;
    i32[c.g + G_STACK_SCAN_IDX] = 0;
    // Mark workers take work only while the phase is GC_MARK, read under the work lock.
    const conc = concurrent(c);
    if (conc) lockWork(c);
    h.i32[c.g + G_PHASE] = GC_MARK;
    h.i32[c.g + G_BG_CYCLE]++;
    h.i32[c.g + G_MARK_DONE] = 0;
    for (const k of [GF_BG_CREDIT, GF_BG_BYTES, GF_BG_SCAN, GF_BG_MS]) h.f64[gf + k] = 0;
    if (conc) unlockWork(c);
    if (forced) i32[c.g + G_NUM_FORCED]++;
    f64[gf + GF_BYTES_MARKED] = 0;
    f64[gf + GF_SCAN_WORK] = 0;
    f64[gf + GF_ASSIST_MS] = 0;
    f64[gf + GF_MARK_MS] = 0;
    f64[gf + GF_ASSIST_CREDIT] = 0;
    f64[gf + GF_HEAP_AT_START] = f64[gf + GF_HEAP_LIVE]!;
    f64[gf + GF_TRIGGERED_AT] = f64[gf + GF_HEAP_LIVE]!;
    markRoots(c);
  } finally {
    c.inCycle = false;
  }
  if (concurrent(c)) {
    Atomics.add(h.i32, c.g + G_BG_WAKE, 1);
    Atomics.notify(h.i32, c.g + G_BG_WAKE);
  }
  const t1 = performance.now();
  f64[gf + GF_STW1_MS] = t1 - t0;
  f64[gf + GF_MARK_START] = nowMs();
  f64[gf + GF_GC_CPU_NS] += (t1 - t0) * 1e6;
}

function markRoots(c: Collector): void {
  const h = c.h;
  let globals: number;
  let stacks = 0;
  // Root handles (Go's globals).
  {
    const d = c.g + G_ROOTS;
    const n = vecLen(h, d) >>> 1;
    globals = n * 4;
    for (let k = 0; k < n; k++) {
      const data = vecData(h, d);
      if (h.i32[data + 2 * k + 1] !== -1) continue;
      const p = h.u32[data + 2 * k]!;
      if (p !== 0) greyObject(c, p);
    }
  }
  // Scope stacks of every P (Go's goroutine stacks) are scanned during marking, not in this pause
  // (scanStacks); here they are only measured.
  for (let pid = 0; pid < h.maxP; pid++) {
    const mc = h.pWord + pid * MCACHE_WORDS;
    if (h.i32[mc + P_STATUS] === P_ATTACHED) stacks += vecLen(h, mc + P_SCOPE) * 4;
  }
  // The tiny block being filled (Go greys every P's tiny block).
  const tiny = h.u32[c.g + G_TINY]!;
  if (tiny !== 0) greyObject(c, tiny);
  // Finalizers: queued objects are roots; armed ones keep what they point to, but not themselves.
  const d = c.g + G_FINALIZERS;
  const n = vecLen(h, d) / 3;
  for (let k = 0; k < n; k++) {
    const data = vecData(h, d);
    const p = h.u32[data + 3 * k]!;
    if (h.i32[data + 3 * k + 2] === 1) greyObject(c, p);
    else greyReferents(c, p);
  }
  h.f64[c.gf + GF_STACK_SCAN] = stacks;
  h.f64[c.gf + GF_GLOBALS_SCAN] = globals;
}

function greyReferents(c: Collector, p: number): void {
  let t;
  try {
    t = c.typeOf(p);
  } catch {
    return;
  }
  for (let e = 0; e < t.size; e += t.elemSize) {
    for (const off of t.offs) {
      const q = c.h.u32[(p + e + off) >>> 2]!;
      if (q !== 0) greyObject(c, q);
    }
  }
}

/** Some marking; ends the cycle when the grey queue runs dry. Returns true when it ended. */
export function gcStep(c: Collector, work: number): boolean {
  const t0 = performance.now();
  drain(c, work);
  const dt = performance.now() - t0;
  c.h.f64[c.gf + GF_MARK_MS] += dt;
  c.h.f64[c.gf + GF_GC_CPU_NS] += dt * 1e6;
  if (!greyQueueEmpty(c)) return false;
  markTermination(c, false);
  return true;
}

/** A mark assist: the allocating thread pays its debt in scan work (Go's gcAssistAlloc). */
export function assist(c: Collector): void {
  if (c.inCycle) return;
  const h = c.h;
  const f64 = h.f64;
  const gf = c.gf;
  const t0 = performance.now();
  const heapLive = f64[gf + GF_HEAP_LIVE]!;
  const expected = f64[gf + GF_LAST_HEAP_SCAN]! + f64[gf + GF_STACK_SCAN]! + f64[gf + GF_GLOBALS_SCAN]!;
  const maxWork = heapLive + f64[gf + GF_STACK_SCAN]! + f64[gf + GF_GLOBALS_SCAN]!; // every live byte might be scannable
  // The ratio from the scan work done so far; asked again after this assist's own work.
  const ratioNow = () =>
    assistRatio(
      heapLive,
      f64[gf + GF_HEAP_GOAL]!,
      f64[gf + GF_TRIGGERED_AT]!,
      expected,
      maxWork,
      f64[gf + GF_SCAN_WORK]!,
      h.i32[c.g + G_GC_PERCENT]!,
    );
  const [workPerByte, bytesPerWork] = ratioNow();
  // Steal the mark workers' credit first (Go's bgScanCredit), at the current ratio.
  const bgWork = absorbBackground(c);
  if (bgWork > 0) f64[gf + GF_ASSIST_CREDIT] += bgWork * bytesPerWork;
  const debt = -f64[gf + GF_ASSIST_CREDIT]!;
  const want = debt > 0 ? Math.max(Math.ceil(debt * workPerByte), OVER_ASSIST_WORK) : 0;
  c.inCycle = true;
  let done = 0;
  try {
    if (want > 0) done = drain(c, want);
  } finally {
    c.inCycle = false;
  }
  // Credit at the ratio revised for the work just done (Go revises continuously during mark).
  const [, bytesPerWorkNow] = ratioNow();
  if (done > 0) f64[gf + GF_ASSIST_CREDIT] += 1 + Math.min(bytesPerWork, bytesPerWorkNow) * done;
  const dt = performance.now() - t0;
  f64[gf + GF_ASSIST_MS] += dt;
  f64[gf + GF_GC_CPU_NS] += dt * 1e6;
  if (greyQueueEmpty(c)) markTermination(c, false);
  else if (h.i32[c.g + G_MARK_DONE] !== 0) {
    // The worker's hint was stale (a barrier queued more since): wake it to drain that.
    h.i32[c.g + G_MARK_DONE] = 0;
    Atomics.notify(h.i32, c.g + G_BG_WAKE);
  }
}

/**
 * Folds what mark workers published this cycle (bytes marked, scan work, time) into the cycle's
 * counters; returns their scan work not yet turned into assist credit. Caller holds G_LOCK.
 */
export function absorbBackground(c: Collector): number {
  const h = c.h;
  const gf = c.gf;
  const conc = concurrent(c);
  if (conc) lockWork(c);
  const f64 = h.f64;
  const credit = f64[gf + GF_BG_CREDIT]!;
  f64[gf + GF_BYTES_MARKED] += f64[gf + GF_BG_BYTES]!;
  f64[gf + GF_SCAN_WORK] += f64[gf + GF_BG_SCAN]!;
  f64[gf + GF_MARK_MS] += f64[gf + GF_BG_MS]!;
  f64[gf + GF_GC_CPU_NS] += f64[gf + GF_BG_MS]! * 1e6;
  for (const k of [GF_BG_CREDIT, GF_BG_BYTES, GF_BG_SCAN, GF_BG_MS]) f64[gf + k] = 0;
  if (conc) unlockWork(c);
  return credit;
}

/** Mark termination: the second pause. */
export function markTermination(c: Collector, forced: boolean): void {
  const h = c.h;
  const t0 = performance.now();
  const gf = c.gf;
  c.inCycle = true;
  try {
    setPhase(c, GC_MARKTERM); // no mark worker takes work from here on (and none holds any)
    absorbBackground(c);
    queueFinalizers(c);
    drain(c, Infinity); // what resurrection greyed (finalizer queue entries are now roots)
    gcReleaseMcache(h, c.g);
    h.refreshViews();
    const i32 = h.i32;
    const f64 = h.f64;
    i32[c.g + G_TINY] = 0;
    i32[c.g + G_TINY_OFFSET] = 0;
    i32[c.g + G_TINY_SPAN] = 0;
    const heapEnd = f64[gf + GF_HEAP_LIVE]!;
    const marked = f64[gf + GF_BYTES_MARKED]!;
    const markMs = nowMs() - f64[gf + GF_MARK_START]!;
    const cons = consMarkEstimate(
      heapEnd,
      f64[gf + GF_TRIGGERED_AT]!,
      f64[gf + GF_ASSIST_MS]!,
      markMs,
      f64[gf + GF_SCAN_WORK]!,
    );
    if (Number.isFinite(cons) && cons > 0) f64[gf + GF_CONS_MARK] = Math.min(cons, 1000);
    f64[gf + GF_HEAP_MARKED] = marked;
    f64[gf + GF_HEAP_LIVE] = marked;
    f64[gf + GF_LAST_HEAP_SCAN] = f64[gf + GF_SCAN_WORK]!;
    i32[H_SWEEPGEN] += 2;
    setPhase(c, GC_OFF);
    i32[c.g + G_MARK_DONE] = 0;
    commitPacer(c, marked);
    const t1 = performance.now();
    const stw2 = t1 - t0;
    const stw1 = f64[gf + GF_STW1_MS]!;
    const n = i32[c.g + G_NUM_GC]!;
    const end = nowMs();
    f64[gf + GF_PAUSE_NS + (n % 256)] = Math.round((stw1 + stw2) * 1e6);
    f64[gf + GF_PAUSE_END + (n % 256)] = Math.round(end * 1e6);
    f64[gf + GF_PAUSE_TOTAL] += Math.round((stw1 + stw2) * 1e6);
    f64[gf + GF_LAST_GC] = Math.round(end * 1e6);
    f64[gf + GF_GC_CPU_NS] += stw2 * 1e6;
    i32[c.g + G_NUM_GC] = n + 1;
    const hook = c.h.trace;
    if (c.trace !== null || (hook !== null && hook.completeAt !== undefined)) {
      const start = f64[gf + GF_START]!;
      const elapsed = Math.max(end - start, 1e-6);
      const assistMs = f64[gf + GF_ASSIST_MS]!;
      const bgMs = f64[gf + GF_MARK_MS]!;
      const line = {
        num: n + 1,
        sinceStartSec: (end - start) / 1000,
        gcPercentOfTime: (f64[gf + GF_GC_CPU_NS]! / 1e6 / elapsed) * 100,
        stw1Ms: stw1,
        markMs: Math.max(0, markMs - stw2),
        stw2Ms: stw2,
        assistMs,
        backgroundMs: bgMs,
        idleMs: 0,
        heapStart: f64[gf + GF_HEAP_AT_START]!,
        heapEnd,
        heapMarked: marked,
        goal: f64[gf + GF_HEAP_GOAL]!,
        stackScan: f64[gf + GF_STACK_SCAN]!,
        globalsScan: f64[gf + GF_GLOBALS_SCAN]!,
        procs: i32[H_ATTACHED_P]!,
        forced,
      };
      if (c.trace !== null) c.trace(formatTrace(line), line);
      if (hook !== null && hook.completeAt !== undefined) emitGcCycle(hook as Parameters<typeof emitGcCycle>[0], line);
    }
  } finally {
    c.inCycle = false;
  }
  if (c.dueFinalizers.length > 0 && !forced) queueMicrotask(() => runFinalizers(c));
}

/**
 * runtime.GC(): finish the cycle in progress, run a complete new one, and sweep everything.
 * `forced` counts it in NumForcedGC (false when the allocator collects because the heap is full).
 */
export function gcFull(c: Collector, forced: boolean, _outOfMemory: boolean): void {
  if (c.inCycle) throw new GcUsageError('heap.gc() cannot run inside a collection');
  if (c.h.i32[c.g + G_PHASE] !== GC_OFF) finishMark(c, false);
  gcStart(c, forced);
  finishMark(c, forced);
  c.inCycle = true;
  try {
    gcSweepAll(c.h, c.g);
  } finally {
    c.inCycle = false;
  }
}

function finishMark(c: Collector, forced: boolean): void {
  const t0 = performance.now();
  c.inCycle = true;
  try {
    // Until no grey object is left anywhere: a mark worker may still hold some in its local buffer.
    for (drain(c, Infinity); !greyQueueEmpty(c); drain(c, Infinity)) waitForWorkers(c);
  } finally {
    c.inCycle = false;
  }
  const dt = performance.now() - t0;
  c.h.f64[c.gf + GF_MARK_MS] += dt;
  c.h.f64[c.gf + GF_GC_CPU_NS] += dt * 1e6;
  markTermination(c, forced);
}

/** Waits a little for busy mark workers to finish their local work or give it back. */
function waitForWorkers(c: Collector): void {
  const i32 = c.h.i32;
  const busy = Atomics.load(i32, c.g + G_BG_BUSY);
  if (busy !== 0 && c.h.canBlock) Atomics.wait(i32, c.g + G_BG_BUSY, busy, 1);
}

// ── finalizers ───────────────────────────────────────────────────────────────────────────────
// Records in G_FINALIZERS: [object, finalizer id, state] with state 0 = armed, 1 = queued to run.

export function setFinalizer(c: Collector, obj: number, fn: ((obj: number) => void) | null): void {
  const h = c.h;
  const d = c.g + G_FINALIZERS;
  const n = vecLen(h, d) / 3;
  for (let k = 0; k < n; k++) {
    const data = vecData(h, d);
    if (h.u32[data + 3 * k] === obj && h.i32[data + 3 * k + 2] === 0) {
      if (fn !== null) throw new GcUsageError(`object ${obj} already has a finalizer (set null first)`);
      c.finalizerFns.delete(h.i32[data + 3 * k + 1]!);
      removeFinalizer(c, k);
      return;
    }
  }
  if (fn === null) return;
  const id = h.i32[c.g + G_NEXT_FIN_ID]!;
  h.i32[c.g + G_NEXT_FIN_ID] = id + 1;
  c.finalizerFns.set(id, fn);
  vecPush(h, d, obj);
  vecPush(h, d, id);
  vecPush(h, d, 0);
  // Set during marking: what it points to must survive this cycle too (Go scans it at once).
  if (h.i32[c.g + G_PHASE] === GC_MARK) greyReferents(c, obj);
}

function removeFinalizer(c: Collector, k: number): void {
  const h = c.h;
  const d = c.g + G_FINALIZERS;
  const n = vecLen(h, d) / 3;
  const data = vecData(h, d);
  h.i32.copyWithin(data + 3 * k, data + 3 * (n - 1), data + 3 * n);
  vecSetLen(h, d, 3 * (n - 1));
}

/** At mark termination: armed finalizers of white objects are queued and their objects marked. */
function queueFinalizers(c: Collector): void {
  const h = c.h;
  const d = c.g + G_FINALIZERS;
  const n = vecLen(h, d) / 3;
  for (let k = 0; k < n; k++) {
    const data = vecData(h, d);
    if (h.i32[data + 3 * k + 2] !== 0) continue;
    const p = h.u32[data + 3 * k]!;
    if (isMarked(c, p)) continue;
    h.i32[data + 3 * k + 2] = 1;
    greyObject(c, p);
    const fn = c.finalizerFns.get(h.i32[data + 3 * k + 1]!);
    if (fn !== undefined) c.dueFinalizers.push([p, fn]);
  }
}

/** Runs this thread's queued finalizers; each object is unqueued first (it dies next cycle unless saved). */
export function runFinalizers(c: Collector): void {
  while (c.dueFinalizers.length > 0) {
    const [p, fn] = c.dueFinalizers.shift()!;
    c.enter();
    try {
      const h = c.h;
      const d = c.g + G_FINALIZERS;
      const n = vecLen(h, d) / 3;
      for (let k = 0; k < n; k++) {
        const data = vecData(h, d);
        if (h.u32[data + 3 * k] === p && h.i32[data + 3 * k + 2] === 1) {
          c.finalizerFns.delete(h.i32[data + 3 * k + 1]!);
          removeFinalizer(c, k);
          break;
        }
      }
    } finally {
      c.leave();
    }
    // While it runs, the object is held by a scope, as a fresh object would be.
    c.scope(() => {
      c.enter();
      try {
        c.pushScope(p);
      } finally {
        c.leave();
      }
      fn(p);
    });
  }
}

// ── MemStats ─────────────────────────────────────────────────────────────────────────────────

/** The MemStats fields the collector owns. */
export type GcStats = Pick<
  MemStats,
  'NextGC' | 'LastGC' | 'PauseTotalNs' | 'PauseNs' | 'PauseEnd' | 'NumGC' | 'NumForcedGC' | 'GCCPUFraction'
>;

/** The GC fields of MemStats, from the GC region (null when the collector was never used). */
export function readGcStats(h: { i32: Int32Array; f64: Float64Array }): GcStats | null {
  const g = h.i32[H_GC]!;
  if (g <= 0) return null;
  const gf = (g + G_F64) >>> 1;
  const f64 = h.f64;
  const pauseNs: number[] = [];
  const pauseEnd: number[] = [];
  for (let k = 0; k < 256; k++) {
    pauseNs.push(f64[gf + GF_PAUSE_NS + k]!);
    pauseEnd.push(f64[gf + GF_PAUSE_END + k]!);
  }
  const elapsedNs = (nowMs() - f64[gf + GF_START]!) * 1e6;
  const goal = f64[gf + GF_HEAP_GOAL]!;
  return {
    NextGC: Number.isFinite(goal) ? goal : 2 ** 64 - 1,
    LastGC: f64[gf + GF_LAST_GC]!,
    PauseTotalNs: f64[gf + GF_PAUSE_TOTAL]!,
    PauseNs: pauseNs,
    PauseEnd: pauseEnd,
    NumGC: h.i32[g + G_NUM_GC]!,
    NumForcedGC: h.i32[g + G_NUM_FORCED]!,
    GCCPUFraction: elapsedNs > 0 ? Math.min(1, f64[gf + GF_GC_CPU_NS]! / elapsedNs) : 0,
  };
}

/** What the pacer works from and decided, for tests and tools. */
export function pacerState(c: Collector): PacerInput & { goal: number; trigger: number; heapLive: number } {
  const f64 = c.h.f64;
  return {
    ...pacerInput(c, f64[c.gf + GF_HEAP_MARKED]!),
    goal: f64[c.gf + GF_HEAP_GOAL]!,
    trigger: f64[c.gf + GF_TRIGGER]!,
    heapLive: f64[c.gf + GF_HEAP_LIVE]!,
  };
}
