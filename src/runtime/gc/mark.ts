// Marking: Go's tri-colour mark over collected objects. White = mark bit clear; grey = mark bit set and
// the object's address on a work queue; black = marked and scanned, or marked and noscan (noscan
// objects go straight to black, never queued).
//
// Work queues, as Go's gcWork: a global grey queue (a vector in the buffer, guarded by G_WORK_LOCK
// when mark workers run) and, for whoever is draining, a local buffer (GcWork) in this thread's own
// memory. Draining takes a batch from the global queue, scans it, greys what it finds into the local
// buffer (no locking, no buffer vector bookkeeping per object) and gives whatever is left back at the
// end. Barriers and root scans grey straight into the global queue.
//
// While a background mark worker runs (G_BG_WORKERS > 0) two threads may set bits in the same mark
// word at once, so mark bits are set with Atomics.or and only the thread that flipped a bit queues the
// object; pointer fields are read with Atomics.load on the worker side (pairing with the mutator's
// Atomics.store in storePointer) so a worker reading a fresh pointer also sees the object's span.
// Pointers reach the heap only through storePointer, which checks them, so every non-nil field names
// a live collected object; a pointer into a tiny block marks the whole block, as in Go.

import {
  G_BG_BUSY,
  G_BG_WORKERS,
  G_GREY,
  G_PHASE,
  G_STACK_SCAN_IDX,
  G_STACK_SCAN_P,
  G_WORK_LOCK,
  GC_MARK,
  MCACHE_WORDS,
  P_ATTACHED,
  P_SCOPE,
  P_STATUS,
  H_SWEEPGEN,
  S_BASE,
  S_DIVMUL,
  S_ELEMSIZE,
  S_MARK_BITS,
  S_SPANCLASS,
} from '../layout.js';
import { lock, unlock } from '../lock.js';
import type { HeapState } from '../state.js';
import type { Collector } from './collector.js';
import type { TypeInfo } from './types.js';
import { scanLoop, scanLoopAtomic } from './scanloop.js';
import { vecReserve } from './vec.js';

const TWO_TO_MINUS_32 = 2 ** -32;
/** Most grey objects taken from the global queue at once (Go's workbuf holds 253). */
export const BATCH = 256;

/** A thread's local grey buffer and the counters it has not published yet (Go's gcWork). */
export class GcWork {
  buf = new Uint32Array(1024);
  n = 0;
  bytesMarked = 0;

  push(p: number): void {
    if (this.n === this.buf.length) this.reserve(1);
    this.buf[this.n++] = p;
  }

  /** Room for `k` more entries. */
  reserve(k: number): void {
    if (this.buf.length - this.n >= k) return;
    const bigger = new Uint32Array(Math.max(this.buf.length * 2, this.n + k));
    bigger.set(this.buf.subarray(0, this.n));
    this.buf = bigger;
  }
}

/** Whether a background mark worker may be marking right now (mark bits then need Atomics). */
export function concurrent(c: Collector): boolean {
  return c.h.i32[c.g + G_BG_WORKERS] !== 0;
}

export function lockWork(c: Collector): void {
  lock(c.h.i32, c.g + G_WORK_LOCK, c.h.canBlock);
  c.h.refreshViews();
}

export function unlockWork(c: Collector): void {
  unlock(c.h.i32, c.g + G_WORK_LOCK);
}

/** Marks the object containing p (a live collected object's address); queues it globally if it has pointers. */
export function greyObject(c: Collector, p: number): void {
  const h = c.h;
  const i32 = h.i32;
  const s = i32[h.spansWord + (p >>> 13)]!;
  const spc = i32[s + S_SPANCLASS]! & 0xff;
  let idx = 0;
  let base = h.u32[s + S_BASE]!;
  if (spc > 1) {
    idx = Math.floor((p - base) * h.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
    base += idx * i32[s + S_ELEMSIZE]!;
  }
  const at = s + S_MARK_BITS + 2 * (idx >>> 5);
  const bit = 1 << (idx & 31);
  const conc = i32[c.g + G_BG_WORKERS] !== 0;
  if (conc) {
    if ((Atomics.or(i32, at, bit) & bit) !== 0) return;
  } else {
    const word = i32[at]!;
    if ((word & bit) !== 0) return;
    i32[at] = word | bit;
  }
  c.bytesMarked += i32[s + S_ELEMSIZE]!;
  if ((spc & 1) !== 0) return;
  if (conc) lockWork(c);
  try {
    pushGlobal(c.h, c.g, base);
  } finally {
    if (conc) unlockWork(c);
  }
}

/** Appends p to the global grey queue (caller holds what guards it). */
function pushGlobal(h: HeapState, g: number, p: number): void {
  const d = g + G_GREY;
  if (h.i32[d + 1] === h.i32[d + 2]) {
    vecReserve(h, d, 1);
    h.refreshViews();
  }
  const v = h.i32;
  const len = v[d + 1]!;
  v[v[d]! + len] = p;
  v[d + 1] = len + 1;
}

/** Moves up to `max` grey objects from the global queue to w (caller holds what guards it). */
export function takeGlobal(h: HeapState, g: number, w: GcWork, max: number): number {
  const d = g + G_GREY;
  const i32 = h.i32;
  const len = i32[d + 1]!;
  const k = Math.min(len, max);
  if (k === 0) return 0;
  const data = i32[d]!;
  w.reserve(k);
  w.buf.set(h.u32.subarray(data + len - k, data + len), w.n);
  w.n += k;
  i32[d + 1] = len - k;
  return k;
}

/** Gives w's last `k` grey objects back to the global queue (caller holds what guards it). */
export function putGlobal(h: HeapState, g: number, w: GcWork, k: number): void {
  const d = g + G_GREY;
  if (k <= 0) return;
  vecReserve(h, d, k);
  h.refreshViews();
  const i32 = h.i32;
  const len = i32[d + 1]!;
  h.u32.set(w.buf.subarray(w.n - k, w.n), i32[d]! + len);
  i32[d + 1] = len + k;
  w.n -= k;
}

/**
 * Scans grey objects from w until `budget` bytes of scan work are done or w is empty; what they point
 * to that was white is marked and pushed on w. `atomic`: another thread may be marking (mark bits by
 * Atomics.or, fields by Atomics.load). `types` is the scanning thread's decoded type table; a missing
 * entry is asked of `resolve`. Returns the scan work done; marked bytes accumulate in w.bytesMarked.
 */
export function drainLocal(
  h: HeapState,
  types: (TypeInfo | undefined)[],
  resolve: (id: number) => TypeInfo,
  w: GcWork,
  budget: number,
  atomic: boolean,
): number {
  return atomic ? scanLoopAtomic(h, types, resolve, w, budget) : scanLoop(h, types, resolve, w, budget);
}

/**
 * Greys scope-stack entries, resuming where the last call stopped, until `budget` entries are done.
 * Returns the work done (4 per entry). Scanning while the program runs is safe for the reason Go's
 * one-pass stack scan is: every pointer written into the heap or a root during marking is shaded
 * (the barrier's insertion half), objects allocated during marking are black, and a value escaping a
 * scope is shaded when pushed — so an entry dropped before it was scanned held nothing the heap needs.
 * The caller holds G_LOCK (scope stacks change only under it); what it greys is in c.work.
 */
export function scanStacks(c: Collector, budget: number): number {
  const h = c.h;
  const g = c.g;
  const w = c.work;
  const atomic = concurrent(c);
  const i32 = h.i32;
  const u32 = h.u32;
  let work = 0;
  let pid = i32[g + G_STACK_SCAN_P]!;
  let idx = i32[g + G_STACK_SCAN_IDX]!;
  // Entries are greyed into this thread's local buffer (the caller drains or gives it back), with
  // the last span remembered: a scope's objects were mostly allocated one after another.
  let ls = -1;
  let lSpc = 0;
  let lBase = 0;
  let lDiv = 0;
  let lElem = 0;
  let marked = 0;
  while (pid < h.maxP && work < budget) {
    const mc = h.pWord + pid * MCACHE_WORDS;
    const len = i32[mc + P_STATUS] === P_ATTACHED ? i32[mc + P_SCOPE + 1]! : 0;
    if (idx >= len) {
      pid++;
      idx = 0;
      continue;
    }
    const p = u32[i32[mc + P_SCOPE]! + idx]!;
    idx++;
    work += 4;
    const s = i32[h.spansWord + (p >>> 13)]!;
    if (s !== ls) {
      ls = s;
      lSpc = i32[s + S_SPANCLASS]! & 0xff;
      lBase = u32[s + S_BASE]!;
      lDiv = u32[s + S_DIVMUL]!;
      lElem = i32[s + S_ELEMSIZE]!;
    }
    let k = 0;
    let base = lBase;
    if (lSpc > 1) {
      k = Math.floor((p - lBase) * lDiv * TWO_TO_MINUS_32);
      base += k * lElem;
    }
    const at = s + S_MARK_BITS + 2 * (k >>> 5);
    const bit = 1 << (k & 31);
    if (atomic) {
      if ((Atomics.or(i32, at, bit) & bit) !== 0) continue;
    } else {
      const word = i32[at]!;
      if ((word & bit) !== 0) continue;
      i32[at] = word | bit;
    }
    marked += lElem;
    if ((lSpc & 1) === 0) w.push(base);
  }
  i32[g + G_STACK_SCAN_P] = pid;
  i32[g + G_STACK_SCAN_IDX] = idx;
  w.bytesMarked += marked;
  return work;
}

export function stacksScanned(c: Collector): boolean {
  return c.h.i32[c.g + G_STACK_SCAN_P]! >= c.h.maxP;
}

/**
 * Scans grey objects until `budget` bytes of scan work are done or none are left (a mutator's drain:
 * the caller holds G_LOCK). Root jobs first, as gcDrain does: the scope stacks not scanned yet.
 * Returns the work done.
 */
export function drain(c: Collector, budget: number): number {
  const h = c.h;
  let work = 0;
  if (!stacksScanned(c)) work += scanStacks(c, budget);
  const conc = concurrent(c);
  const w = c.work;
  const resolve = (id: number): TypeInfo => c.typeById(id);
  try {
    while (work < budget) {
      if (w.n === 0) {
        if (conc) lockWork(c);
        let got: number;
        try {
          got = takeGlobal(h, c.g, w, BATCH);
        } finally {
          if (conc) unlockWork(c);
        }
        if (got === 0) break;
      }
      work += drainLocal(h, c.typeTable, resolve, w, budget - work, conc);
    }
  } finally {
    // Budget spent (or an error): what is left goes back where every thread can see it.
    if (w.n > 0) {
      if (conc) lockWork(c);
      try {
        putGlobal(h, c.g, w, w.n);
      } finally {
        if (conc) unlockWork(c);
      }
    }
    c.bytesMarked += w.bytesMarked;
    w.bytesMarked = 0;
    c.scanWork += work;
  }
  return work;
}

/**
 * No marking work left anywhere: every stack scanned, no grey object queued, and no mark worker
 * holding any in its local buffer (Go's termination condition: no work and every worker idle). The
 * check takes the work lock, so a worker cannot be between taking a batch and saying it is busy.
 */
export function greyQueueEmpty(c: Collector): boolean {
  if (!stacksScanned(c)) return false;
  const i32 = c.h.i32;
  if (!concurrent(c)) return i32[c.g + G_GREY + 1] === 0;
  lockWork(c);
  try {
    return c.h.i32[c.g + G_GREY + 1] === 0 && c.h.i32[c.g + G_BG_BUSY] === 0;
  } finally {
    unlockWork(c);
  }
}

/** Sets the phase; while workers run, under the work lock (they only take work while it is GC_MARK). */
export function setPhase(c: Collector, phase: number): void {
  const conc = concurrent(c);
  if (conc) lockWork(c);
  c.h.i32[c.g + G_PHASE] = phase;
  if (conc) unlockWork(c);
}

/** Whether the collected object slot at p is marked (p is an object start or tiny sub-object). */
export function isMarked(c: Collector, p: number): boolean {
  const h = c.h;
  const i32 = h.i32;
  const s = i32[h.spansWord + (p >>> 13)]!;
  const spc = i32[s + S_SPANCLASS]! & 0xff;
  const idx = spc <= 1 ? 0 : Math.floor((p - h.u32[s + S_BASE]!) * h.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
  return (i32[s + S_MARK_BITS + 2 * (idx >>> 5)]! & (1 << (idx & 31))) !== 0;
}

export { GC_MARK, H_SWEEPGEN };
