// mcache: a P's own spans, one per span class, and its tiny block. Only the P's own thread touches its
// mcache, which is why allocating from it needs no lock and no atomic instruction. The fast path itself
// (nextFreeFast) is inlined in Heap.malloc; this file holds what happens when it misses.
//
// The tiny allocator (Go's, for pointer-free requests under 16 bytes) packs several small requests
// into one 16-byte block taken from span class 5. Go frees a tiny block only when the collector finds
// none of its sub-objects reachable; with explicit free we keep, per block, a mask of the sub-objects
// handed out (written only by the owning P) and a mask of those freed (written by any thread), and the
// block itself is freed when the two are equal and no P is still filling it.
//
//   tiny masks of block k (uint16 pair): [ allocated starts | freed starts ], bit b = byte b of block
//   a plain 16-byte object in the same span class has both masks 0

import {
  MCACHE_WORDS,
  PS_TINY_ALLOCS,
  P_ALLOC,
  P_TINY,
  P_TINY_OFFSET,
  P_TINY_SPAN,
  S_BASE,
  S_ELEMSIZE,
  S_NELEMS,
  S_OWNER,
  S_TINY_MASKS,
} from './layout.js';
import { cacheSpan, freeSlot, releaseSpares, resweepCachedSpan, uncacheSpan } from './mcentral.js';
import { nextFreeIndex } from './mspan.js';
import { NUM_SPAN_CLASSES, TINY_SIZE, TINY_SPAN_CLASS } from './sizeclasses.js';
import type { HeapState } from './state.js';

/**
 * Go's mcache.nextFree: a slot from the cached span of this class, refilling from mcentral when the
 * span is full. Returns 0 when the heap is out of memory.
 */
export function nextFree(h: HeapState, spanclass: number): number {
  let s = h.i32[h.mc + P_ALLOC + spanclass]!;
  let idx = s === 0 ? 0 : nextFreeIndex(h, s);
  if (s === 0 || idx === h.i32[s + S_NELEMS]) {
    s = refill(h, spanclass);
    if (s === 0) return 0;
    idx = nextFreeIndex(h, s);
  }
  return h.u32[s + S_BASE]! + idx * h.i32[s + S_ELEMSIZE]!;
}

/**
 * Swaps this P's span of a class for one with free slots; 0 if out of memory. The span in hand comes
 * first: if this P's own frees (or anyone's) emptied enough of it, it is swept where it is.
 */
export function refill(h: HeapState, spanclass: number): number {
  const slot = h.mc + P_ALLOC + spanclass;
  const old = h.i32[slot]!;
  if (old !== 0 && resweepCachedSpan(h, old)) return old;
  // A P holds a tiny block only in the span it has cached (see tinyHolder): drop it before that goes.
  if (spanclass === TINY_SPAN_CLASS) releaseTinyBlock(h);
  h.i32[slot] = 0;
  const s = cacheSpan(h, spanclass, old);
  h.i32[slot] = s;
  return s;
}

/** Gives every cached span back and drops the tiny block (Go's releaseAll, when a P goes away). */
export function releaseAll(h: HeapState): void {
  releaseTinyBlock(h); // first: a P holds a tiny block only in a span it has cached (see tinyHolder)
  for (let spc = 0; spc < NUM_SPAN_CLASSES; spc++) {
    const slot = h.mc + P_ALLOC + spc;
    const s = h.i32[slot]!;
    if (s !== 0) {
      h.i32[slot] = 0;
      uncacheSpan(h, s);
    }
  }
  releaseSpares(h); // after the cached spans: filing one may have made it a spare
}

function tinyMaskIndex(h: HeapState, s: number, block: number): number {
  return h.i32[s + S_TINY_MASKS]! + (((block - h.u32[s + S_BASE]!) >>> 4) << 1);
}

/** A tiny allocation of n (1..15) bytes, with Go's alignment and block-replacement rules; 0 if OOM. */
export function tinyAlloc(h: HeapState, n: number): number {
  const i32 = h.i32;
  const mc = h.mc;
  let off = i32[mc + P_TINY_OFFSET]!;
  if ((n & 7) === 0) off = (off + 7) & ~7;
  else if ((n & 3) === 0) off = (off + 3) & ~3;
  else if ((n & 1) === 0) off = (off + 1) & ~1;
  const tiny = h.u32[mc + P_TINY]!;
  if (tiny !== 0 && off + n <= TINY_SIZE) {
    i32[mc + P_TINY_OFFSET] = off + n;
    h.f64[h.ps + PS_TINY_ALLOCS]++;
    const m = tinyMaskIndex(h, i32[mc + P_TINY_SPAN]!, tiny);
    h.u16[m] = h.u16[m]! | (1 << off);
    return tiny + off;
  }
  const block = nextFree(h, TINY_SPAN_CLASS);
  if (block === 0) return 0;
  const v = h.i32; // a refill may have grown the heap
  const s = v[h.spansWord + (block >>> 13)]!;
  v.fill(0, block >>> 2, (block >>> 2) + 4); // Go zeroes a new tiny block: sub-objects start zeroed
  const m = tinyMaskIndex(h, s, block);
  h.u16[m] = 1;
  h.u16[m + 1] = 0;
  // Keep whichever block has more room left. (A refill in nextFree dropped the old block already.)
  if (h.u32[mc + P_TINY] === 0 || n < v[mc + P_TINY_OFFSET]!) {
    releaseTinyBlock(h);
    h.u32[mc + P_TINY] = block;
    v[mc + P_TINY_OFFSET] = n;
    v[mc + P_TINY_SPAN] = s;
  }
  return block;
}

/** This P stops filling its tiny block; the block is freed if all its sub-objects already are. */
export function releaseTinyBlock(h: HeapState): void {
  const mc = h.mc;
  const tiny = h.u32[mc + P_TINY]!;
  if (tiny === 0) return;
  if (h.shared) Atomics.store(h.u32, mc + P_TINY, 0);
  else h.u32[mc + P_TINY] = 0;
  h.i32[mc + P_TINY_OFFSET] = 0;
  maybeFreeTinyBlock(h, h.i32[mc + P_TINY_SPAN]!, tiny);
}

/**
 * The P filling tiny block `block` of span s, or -1. A P fills blocks only from the span it has cached
 * for the tiny class, and drops its block before it gives that span back (refill, releaseAll): so the
 * holder, if any, is the span's owner, and a free of one's own object reads only its own P's word
 * (scanning every P read the other threads' mcache lines, which they write on every refill).
 */
export function tinyHolder(h: HeapState, s: number, block: number): number {
  const owner = h.shared ? Atomics.load(h.i32, s + S_OWNER) : h.i32[s + S_OWNER]!;
  if (owner < 0) return -1;
  const w = h.pWord + owner * MCACHE_WORDS + P_TINY;
  return (h.shared ? Atomics.load(h.u32, w) : h.u32[w]) === block ? owner : -1;
}

function maybeFreeTinyBlock(h: HeapState, s: number, block: number): void {
  const m = tinyMaskIndex(h, s, block);
  const allocated = h.u16[m]!;
  const freed = h.shared ? Atomics.load(h.u16, m + 1) : h.u16[m + 1]!;
  // A block in use has its first sub-object's bit allocated: both masks 0 means it was freed already.
  if (allocated === 0 || allocated !== freed || tinyHolder(h, s, block) >= 0) return;
  // Its holder dropping it and the free of its last sub-object may both get here: the one that
  // clears the freed mask frees the block.
  if (h.shared) {
    if (Atomics.compareExchange(h.u16, m + 1, freed, 0) !== freed) return;
  } else {
    h.u16[m + 1] = 0;
  }
  // Both masks back to zero before the slot is released, so whoever reuses it never sees stale ones.
  h.u16[m] = 0;
  freeSlot(h, s, (block - h.u32[s + S_BASE]!) >>> 4);
}

/**
 * Frees the tiny sub-object at p in block slot idx of span s. Returns an error reason, or null.
 * Nothing changes when a reason is returned.
 */
export function tinyFree(h: HeapState, s: number, idx: number, p: number): string | null {
  const m = h.i32[s + S_TINY_MASKS]! + (idx << 1);
  const allocated = h.u16[m]!;
  const bit = 1 << (p & 15);
  if ((allocated & bit) === 0) return 'not the start of an object (interior pointer)';
  let before: number;
  if (h.shared) {
    before = Atomics.or(h.u16, m + 1, bit);
  } else {
    before = h.u16[m + 1]!;
    h.u16[m + 1] = before | bit;
  }
  if ((before & bit) !== 0) return 'already freed';
  if ((before | bit) === allocated) maybeFreeTinyBlock(h, s, h.u32[s + S_BASE]! + (idx << 4));
  return null;
}

/** Bytes usable at tiny sub-object p (block slot idx of span s), or -1 if p is not a live one. */
export function tinyUsableSize(h: HeapState, s: number, idx: number, p: number): number {
  const m = h.i32[s + S_TINY_MASKS]! + (idx << 1);
  const off = p & 15;
  const bit = 1 << off;
  if ((h.u16[m]! & bit) === 0 || (h.u16[m + 1]! & bit) !== 0) return -1;
  const later = h.u16[m]! >>> (off + 1);
  if (later !== 0) return 31 - Math.clz32(later & -later) + 1;
  const holder = tinyHolder(h, s, p - off);
  if (holder >= 0) return h.i32[h.pWord + holder * MCACHE_WORDS + P_TINY_OFFSET]! - off;
  return TINY_SIZE - off;
}

/** Whether block slot idx of a class-2 span is a tiny block (as opposed to a plain 16-byte object). */
export function isTinyBlock(h: HeapState, s: number, idx: number): boolean {
  return h.u16[h.i32[s + S_TINY_MASKS]! + (idx << 1)] !== 0;
}
