// Marking: Go's tri-colour mark over collected objects. White = mark bit clear; grey = mark bit set and
// the object's address on the grey queue (a vector in the buffer, Go's work buffers); black = marked
// and scanned, or marked and noscan (noscan objects go straight to black, never queued).
//
// greyObject finds the span from the page (the spans table), the slot with divMagic, sets the mark
// bit and queues the object if its span is a scan span. scanObject reads the slot's type id and greys
// every non-nil pointer field. drain pops and scans until a budget of scan work (bytes) is spent.
// Pointers reach the heap only through storePointer, which checks them, so every non-nil field names
// a live collected object; a pointer into a tiny block marks the whole block, as in Go.

import {
  G_GREY,
  G_STACK_SCAN_IDX,
  G_STACK_SCAN_P,
  MCACHE_WORDS,
  P_ATTACHED,
  P_SCOPE,
  P_STATUS,
  H_SWEEPGEN,
  S_BASE,
  S_DIVMUL,
  S_ELEMSIZE,
  S_GC_TYPES,
  S_MARK_BITS,
  S_SPANCLASS,
} from '../layout.js';
import type { Collector } from './collector.js';
import { vecReserve } from './vec.js';

const TWO_TO_MINUS_32 = 2 ** -32;

/** Marks the object containing p (a live collected object's address); queues it if it has pointers. */
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
  const word = i32[at]!;
  if ((word & bit) !== 0) return;
  i32[at] = word | bit;
  c.bytesMarked += i32[s + S_ELEMSIZE]!;
  if ((spc & 1) !== 0) return;
  const d = c.g + G_GREY;
  let len = i32[d + 1]!;
  if (len === i32[d + 2]!) {
    vecReserve(h, d, 1);
    c.refresh();
  }
  const v = h.i32;
  len = v[d + 1]!;
  v[v[d]! + len] = base;
  v[d + 1] = len + 1;
}

/** Greys every pointer field of the object at base (a scan object). Returns the bytes examined. */
export function scanObject(c: Collector, base: number): number {
  const h = c.h;
  const i32 = h.i32;
  const s = i32[h.spansWord + (base >>> 13)]!;
  const spc = i32[s + S_SPANCLASS]! & 0xff;
  let typeId: number;
  if (spc <= 1) typeId = i32[s + S_GC_TYPES]!;
  else {
    const idx = Math.floor((base - h.u32[s + S_BASE]!) * h.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
    typeId = h.u16[i32[s + S_GC_TYPES]! + idx]!;
  }
  const t = c.typeById(typeId);
  const offs = t.offs;
  const n = offs.length;
  const size = t.size;
  const step = t.elemSize;
  const u32 = h.u32;
  for (let e = 0; e < size; e += step) {
    const b = base + e;
    for (let k = 0; k < n; k++) {
      const q = u32[(b + offs[k]!) >>> 2]!;
      if (q !== 0) greyObject(c, q);
    }
  }
  return size;
}

/**
 * Greys scope-stack entries, resuming where the last call stopped, until `budget` entries are done.
 * Returns the work done (4 per entry). Scanning while the program runs is safe for the reason Go's
 * one-pass stack scan is: every pointer written into the heap or a root during marking is shaded
 * (the barrier's insertion half), objects allocated during marking are black, and a value escaping a
 * scope is shaded when pushed — so an entry dropped before it was scanned held nothing the heap needs.
 */
export function scanStacks(c: Collector, budget: number): number {
  const h = c.h;
  const g = c.g;
  let work = 0;
  let pid = h.i32[g + G_STACK_SCAN_P]!;
  let idx = h.i32[g + G_STACK_SCAN_IDX]!;
  while (pid < h.maxP && work < budget) {
    const mc = h.pWord + pid * MCACHE_WORDS;
    const len = h.i32[mc + P_STATUS] === P_ATTACHED ? h.i32[mc + P_SCOPE + 1]! : 0;
    if (idx >= len) {
      pid++;
      idx = 0;
      continue;
    }
    const p = h.u32[h.i32[mc + P_SCOPE]! + idx]!;
    idx++;
    greyObject(c, p);
    work += 4;
  }
  h.i32[g + G_STACK_SCAN_P] = pid;
  h.i32[g + G_STACK_SCAN_IDX] = idx;
  return work;
}

export function stacksScanned(c: Collector): boolean {
  return c.h.i32[c.g + G_STACK_SCAN_P]! >= c.h.maxP;
}

/** Scans grey objects until `budget` bytes of scan work are done or none are left. Returns work done. */
export function drain(c: Collector, budget: number): number {
  const h = c.h;
  const d = c.g + G_GREY;
  let work = 0;
  // Root jobs first, as gcDrain does: the scope stacks not scanned yet.
  if (!stacksScanned(c)) work += scanStacks(c, budget);
  while (work < budget) {
    const i32 = h.i32;
    const len = i32[d + 1]!;
    if (len === 0) break;
    const p = i32[i32[d]! + len - 1]! >>> 0;
    i32[d + 1] = len - 1;
    work += scanObject(c, p);
  }
  c.scanWork += work;
  return work;
}

/** No marking work left: every stack scanned and no grey object. */
export function greyQueueEmpty(c: Collector): boolean {
  return c.h.i32[c.g + G_GREY + 1] === 0 && stacksScanned(c);
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

export { H_SWEEPGEN };
