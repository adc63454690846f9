// mspan: a run of pages carved into equal slots, and the bitmaps that say which slots are taken.
//
// Go's scheme, with free() added in Go's own terms:
//   allocBits   a slot was allocated as of the span's last sweep. Allocation never writes it: slots
//               below `freeindex` are taken, slots at or above it are free iff their alloc bit is 0.
//   gcmarkBits  a slot holds a live object. free() clears the object's bit, exactly what an unmarked
//               object looks like to Go's sweeper; sweeping then copies mark bits into alloc bits (Go
//               swaps the two bitmaps), which is when a freed slot can be handed out again.
//
// So that free() from another thread never races the owner's allocation fast path, allocation writes
// no mark bits either: when a span is cached, every free slot's mark bit is set at once ("reserved" for
// the P that caches it), and when it is uncached the reserved slots that were never handed out are
// cleared again. A slot's object is live iff its mark bit is set and it was really handed out, that is
// its alloc bit is set or it lies below freeindex. `marked` counts the set mark bits; it reaching zero
// on a span no P holds means the span is empty and its pages go back to the heap.
//
// allocCache is a 32-bit window of the inverted alloc bits starting at slot `freeindex` and ending at
// the next multiple of 32, where the slow path (nextFreeIndex) loads the next window.

import {
  SPAN_HEADER_WORDS,
  S_ALLOC_CACHE,
  S_ALLOC_COUNT,
  S_FREEINDEX,
  S_MARKBITS,
  S_MARKED,
  S_NELEMS,
  S_SPANCLASS,
  bitmapWords,
} from './layout.js';
import { popcount } from './pagealloc.js';
import type { HeapState } from './state.js';

/** Bits of bitmap word w that stand for real slots of a span of nelems slots. */
function slotMask(w: number, nelems: number): number {
  const remaining = nelems - (w << 5);
  return remaining >= 32 ? -1 : (1 << remaining) - 1;
}

/**
 * Go's nextFreeIndex: the next free slot at or after freeindex, advancing freeindex past it and
 * reloading the allocCache window as needed. Returns nelems when the span has no free slot left.
 */
export function nextFreeIndex(h: HeapState, s: number): number {
  const i32 = h.i32;
  const n = i32[s + S_NELEMS]!;
  let i = i32[s + S_FREEINDEX]!;
  if (i === n) return n;
  const allocBits = s + SPAN_HEADER_WORDS;
  let c = i32[s + S_ALLOC_CACHE]!;
  while (c === 0) {
    i = (i + 32) & ~31;
    if (i >= n) {
      i32[s + S_FREEINDEX] = n;
      return n;
    }
    c = ~i32[allocBits + (i >>> 5)]!;
  }
  const t = 31 - Math.clz32(c & -c);
  const result = i + t;
  if (result >= n) {
    i32[s + S_FREEINDEX] = n;
    return n;
  }
  c = t === 31 ? 0 : c >>> (t + 1);
  i = result + 1;
  if ((i & 31) === 0 && i !== n) c = ~i32[allocBits + (i >>> 5)]!;
  i32[s + S_ALLOC_CACHE] = c;
  i32[s + S_FREEINDEX] = i;
  return result;
}

/**
 * Sweeps a span no P holds: the mark bits become the alloc bits, so slots freed since the last sweep
 * can be handed out again, and allocation restarts at slot 0. (Go's sweep with preserve = true: the
 * caller is about to use the span, so it is not freed or re-listed here.)
 */
export function sweepSpan(h: HeapState, s: number): void {
  const i32 = h.i32;
  const words = bitmapWords(i32[s + S_SPANCLASS]! >>> 1);
  const allocBits = s + SPAN_HEADER_WORDS;
  const markBits = i32[s + S_MARKBITS]!;
  let count = 0;
  for (let w = 0; w < words; w++) {
    // Another thread may be clearing mark bits as we copy: atomically read words stay consistent.
    const m = h.shared ? Atomics.load(i32, markBits + w) : i32[markBits + w]!;
    i32[allocBits + w] = m;
    count += popcount(m);
  }
  i32[s + S_ALLOC_COUNT] = count;
  i32[s + S_FREEINDEX] = 0;
  i32[s + S_ALLOC_CACHE] = ~i32[allocBits]!;
}

/** Sets the mark bit of every free slot: they now belong to the P caching the span. */
export function reserveFreeSlots(h: HeapState, s: number): void {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  const words = (nelems + 31) >>> 5;
  const allocBits = s + SPAN_HEADER_WORDS;
  const markBits = i32[s + S_MARKBITS]!;
  let count = 0;
  for (let w = 0; w < words; w++) {
    const free = ~i32[allocBits + w]! & slotMask(w, nelems);
    if (free === 0) continue;
    if (h.shared) Atomics.or(i32, markBits + w, free);
    else i32[markBits + w] = i32[markBits + w]! | free;
    count += popcount(free);
  }
  if (h.shared) Atomics.add(i32, s + S_MARKED, count);
  else i32[s + S_MARKED] = i32[s + S_MARKED]! + count;
}

/**
 * Clears the mark bits of reserved slots that were never handed out (free in allocBits, at or above
 * freeindex). Returns the span's marked count afterwards.
 */
export function unreserveFreeSlots(h: HeapState, s: number): number {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  const words = (nelems + 31) >>> 5;
  const freeindex = i32[s + S_FREEINDEX]!;
  const allocBits = s + SPAN_HEADER_WORDS;
  const markBits = i32[s + S_MARKBITS]!;
  let count = 0;
  for (let w = freeindex >>> 5; w < words; w++) {
    let mask = ~i32[allocBits + w]! & slotMask(w, nelems);
    if (w === freeindex >>> 5) mask &= -1 << (freeindex & 31);
    if (mask === 0) continue;
    if (h.shared) Atomics.and(i32, markBits + w, ~mask);
    else i32[markBits + w] = i32[markBits + w]! & ~mask;
    count += popcount(mask);
  }
  if (h.shared) return Atomics.sub(i32, s + S_MARKED, count) - count;
  return (i32[s + S_MARKED] = i32[s + S_MARKED]! - count);
}

/** Whether slot idx holds a live object: marked, and really handed out. */
export function slotIsLive(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  const bit = 1 << (idx & 31);
  if ((i32[i32[s + S_MARKBITS]! + (idx >>> 5)]! & bit) === 0) return false;
  return (i32[s + SPAN_HEADER_WORDS + (idx >>> 5)]! & bit) !== 0 || idx < i32[s + S_FREEINDEX]!;
}
