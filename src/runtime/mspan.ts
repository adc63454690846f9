// mspan: a run of pages carved into equal slots, and the bitmaps that say which slots are taken.
//
// Go's scheme, with free() added in Go's own terms:
//   allocBits   a slot was allocated as of the span's last sweep. Allocation never writes it: slots
//               below `freeindex` are taken, slots at or above it are free iff their alloc bit is 0.
//               Bits past the last slot are kept at 1, so the fast path needs no bounds check.
//   gcmarkBits  a slot holds a live object. free() clears the object's bit, exactly what an unmarked
//               object looks like to Go's sweeper; sweeping then copies mark bits into alloc bits (Go
//               swaps the two bitmaps), which is when a freed slot can be handed out again.
//
// So that free() from another thread never races the owner's allocation fast path, allocation writes
// no mark bits either: when a span is cached, every free slot's mark bit is set at once ("reserved" for
// the P that caches it), and when it is uncached the reserved slots that were never handed out are
// cleared again. A slot's object is live iff its mark bit is set and it was really handed out: its
// alloc bit is set or it lies below freeindex. For the same reason the fast path keeps no allocCount:
// the slots handed out since caching are exactly the free slots below freeindex, counted when needed.
//
// allocCache is a 32-bit window of the inverted alloc bits starting at slot `freeindex` and ending at
// the next multiple of 32, where the slow path (nextFreeIndex) loads the next window.
//
// On a shared heap a small span's mark bits have one writer, the P that owns the span (S_OWNER; see
// mcentral.ts): its frees, sweeps and reservations are plain reads and writes. Any other thread's free
// sets the slot's bit in a third bitmap, the remote bits, with an atomic or; the owner folds them into
// the mark bits (an atomic exchange per non-zero word) whenever it counts or sweeps the span. So a slot
// is free if its mark bit is clear or its remote bit is set. This matters because V8 (Node 20)
// compiles no Atomics operation inline: each one, even Atomics.load, is a builtin call of ~120 machine
// instructions (10–20 ns) against a few for a plain access, and a thread freeing what it allocated —
// the common case — now makes none.

import {
  S_ALLOC_BITS,
  S_ALLOC_CACHE,
  S_ALLOC_COUNT,
  S_FREEINDEX,
  S_MARK_BITS,
  S_NEEDZERO,
  S_NELEMS,
  S_REMOTE_BITS,
  S_REMOTE_FREED,
} from './layout.js';
import { popcount } from './pagealloc.js';
import type { HeapState } from './state.js';

/** Bits of bitmap word w that stand past the last of nelems slots. */
function padding(w: number, nelems: number): number {
  const remaining = nelems - (w << 5);
  return remaining >= 32 ? 0 : -1 << remaining;
}

/** Sets the alloc bits past the last slot, so they never look free. */
export function initBitmaps(h: HeapState, s: number): void {
  const nelems = h.i32[s + S_NELEMS]!;
  const last = (nelems - 1) >>> 5;
  h.i32[s + S_ALLOC_BITS + 2 * last] = padding(last, nelems);
  h.i32[s + S_ALLOC_CACHE] = ~h.i32[s + S_ALLOC_BITS]!;
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
  let c = i32[s + S_ALLOC_CACHE]!;
  while (c === 0) {
    i = (i + 32) & ~31;
    if (i >= n) {
      i32[s + S_FREEINDEX] = n;
      return n;
    }
    c = ~i32[s + S_ALLOC_BITS + 2 * (i >>> 5)]!;
  }
  const t = 31 - Math.clz32(c & -c);
  const result = i + t;
  if (result >= n) {
    i32[s + S_FREEINDEX] = n;
    return n;
  }
  c = t === 31 ? 0 : c >>> (t + 1);
  i = result + 1;
  if ((i & 31) === 0 && i !== n) c = ~i32[s + S_ALLOC_BITS + 2 * (i >>> 5)]!;
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
  const nelems = i32[s + S_NELEMS]!;
  const words = (nelems + 31) >>> 5;
  let count = 0;
  for (let w = 0; w < words; w++) {
    const m = i32[s + S_MARK_BITS + 2 * w]!;
    i32[s + S_ALLOC_BITS + 2 * w] = m | padding(w, nelems);
    count += popcount(m);
  }
  i32[s + S_ALLOC_COUNT] = count;
  i32[s + S_ALLOC_CACHE] = ~i32[s + S_ALLOC_BITS]!;
  // Last, once the alloc bits hold every live object: a concurrent free on another thread checks
  // "below freeindex, else alloc bit set" in that order, so it sees the new alloc bits if it sees 0.
  // A plain store: x86 keeps plain stores in order and the other thread's loads are plain anyway, so a
  // fence would buy nothing but its cost; a collector's sweep publishes its end with a fenced store of
  // the span's sweepgen (gc/spans.ts), which is what threads checking its objects wait for.
  i32[s + S_FREEINDEX] = 0;
  i32[s + S_NEEDZERO] = 1; // freed slots may hold old data (Go sets it only if the sweep freed any)
}

/**
 * sweepSpan then reserveFreeSlots for a span its P holds and has handed out entirely (freeindex =
 * nelems): when at least `minFree` of its slots have been freed since, their slots come back and are
 * reserved for the P again. Returns how many objects the P had handed out from the span since it was
 * cached or last swept (for the P's counters), or -1, changing nothing, when too few were freed.
 * Without other threads it is two passes over the bitmaps (count, then sweepAndReserve) instead of
 * four, which is what makes a span of one or two objects cheap to reuse; on a shared heap three.
 */
export function resweepExhausted(h: HeapState, s: number, minFree: number): number {
  const nelems = h.i32[s + S_NELEMS]!;
  if (nelems - liveCount(h, s) < minFree) return -1;
  const handedOut = handedOutOfUsedUp(h, s);
  sweepAndReserve(h, s);
  return handedOut;
}

/**
 * Objects handed out from span s since it was cached or last swept, when s is used up (freeindex =
 * nelems): every slot free at the last sweep has been handed out, so it is nelems − allocCount, with
 * no pass over the bitmaps (allocatedSinceCache counts them). Other threads cannot change it: the
 * count and the alloc bits are written only by the P holding the span, at its sweep.
 */
export function handedOutOfUsedUp(h: HeapState, s: number): number {
  return h.i32[s + S_NELEMS]! - h.i32[s + S_ALLOC_COUNT]!;
}

/**
 * sweepSpan then reserveFreeSlots: the live slots become the allocated ones, and every free slot is
 * marked, reserved for the P about to use the span. Without other threads it is one pass, after which
 * every slot is marked. On a shared heap the owner first folds other threads' frees into the mark bits,
 * then does the two steps in that order: other threads' frees check "below freeindex, else alloc bit
 * set", so the sweep must be complete, freeindex back at 0, before any free slot looks marked.
 */
export function sweepAndReserve(h: HeapState, s: number): void {
  if (h.shared) {
    foldRemoteFrees(h, s);
    sweepSpan(h, s);
    reserveFreeSlots(h, s);
    return;
  }
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  const words = (nelems + 31) >>> 5;
  let count = 0;
  for (let w = 0; w < words; w++) {
    const at = s + S_ALLOC_BITS + 2 * w;
    const marked = i32[at + 1]!;
    const pad = padding(w, nelems);
    count += popcount(marked);
    i32[at] = marked | pad; // the sweep: live objects are the allocated slots now
    i32[at + 1] = ~pad; // and every free slot is reserved for this P
  }
  i32[s + S_ALLOC_COUNT] = count;
  i32[s + S_ALLOC_CACHE] = ~i32[s + S_ALLOC_BITS]!;
  i32[s + S_FREEINDEX] = 0;
  i32[s + S_NEEDZERO] = 1;
}

/** Sets the mark bit of every free slot: they now belong to the P caching (and owning) the span. */
export function reserveFreeSlots(h: HeapState, s: number): void {
  const i32 = h.i32;
  const words = (i32[s + S_NELEMS]! + 31) >>> 5;
  for (let w = 0; w < words; w++) i32[s + S_MARK_BITS + 2 * w] |= ~i32[s + S_ALLOC_BITS + 2 * w]!;
}

/**
 * The owner of span s takes other threads' frees into its mark bits (a shared heap's remote bits; see
 * the file comment). A word read as 0 costs no atomic step: a bit set just after is folded next time.
 */
export function foldRemoteFrees(h: HeapState, s: number): void {
  const i32 = h.i32;
  if (i32[s + S_REMOTE_FREED] === 0) return; // bumped after its bit is set: a bit set now is folded next time
  const words = (i32[s + S_NELEMS]! + 31) >>> 5;
  const remote = i32[s + S_REMOTE_BITS]!;
  let folded = 0;
  for (let w = 0; w < words; w++) {
    if (i32[remote + w] === 0) continue;
    const freed = Atomics.exchange(i32, remote + w, 0);
    i32[s + S_MARK_BITS + 2 * w] &= ~freed;
    folded += popcount(freed);
  }
  if (folded !== 0) Atomics.sub(i32, s + S_REMOTE_FREED, folded);
}

/**
 * Clears the mark bits of reserved slots that were never handed out (free in allocBits, at or above
 * freeindex). Returns how many objects the span still holds.
 */
export function unreserveFreeSlots(h: HeapState, s: number): number {
  const i32 = h.i32;
  const words = (i32[s + S_NELEMS]! + 31) >>> 5;
  const freeindex = i32[s + S_FREEINDEX]!;
  let live = 0;
  for (let w = 0; w < words; w++) {
    const at = s + S_MARK_BITS + 2 * w;
    if (w >= freeindex >>> 5) {
      let mask = ~i32[s + S_ALLOC_BITS + 2 * w]!;
      if (w === freeindex >>> 5) mask &= -1 << (freeindex & 31);
      if (mask !== 0) i32[at] &= ~mask;
    }
    live += popcount(i32[at]!);
  }
  return live;
}

/** Objects handed out from span s since it was cached: the free slots below freeindex. */
export function allocatedSinceCache(h: HeapState, s: number): number {
  const i32 = h.i32;
  const freeindex = i32[s + S_FREEINDEX]!;
  let n = 0;
  for (let w = 0; w <= freeindex >>> 5; w++) {
    let mask = ~i32[s + S_ALLOC_BITS + 2 * w]!;
    if (w === freeindex >>> 5) mask &= (1 << (freeindex & 31)) - 1;
    n += popcount(mask);
  }
  return n;
}

/**
 * How many objects span s holds (set mark bits; reserved slots count while it is cached). On a shared
 * heap, less the remote frees not yet folded; a remote free landing during the count may or may not be
 * seen, so a concurrent count can be one high per such free — the safe side for "is it empty?".
 */
export function liveCount(h: HeapState, s: number): number {
  const i32 = h.i32;
  const words = (i32[s + S_NELEMS]! + 31) >>> 5;
  let live = 0;
  if (h.shared && i32[s + S_REMOTE_FREED] !== 0) {
    const remote = i32[s + S_REMOTE_BITS]!;
    for (let w = 0; w < words; w++) live += popcount(i32[s + S_MARK_BITS + 2 * w]! & ~i32[remote + w]!);
    return live;
  }
  for (let w = 0; w < words; w++) live += popcount(i32[s + S_MARK_BITS + 2 * w]!);
  return live;
}

/** Whether slot idx holds a live object: marked and not freed by another thread, and really handed out. */
export function slotIsLive(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  const bit = 1 << (idx & 31);
  const at = s + S_ALLOC_BITS + 2 * (idx >>> 5);
  if ((i32[at + 1]! & bit) === 0) return false;
  if (h.shared && freedRemotely(h, s, idx)) return false;
  return idx < i32[s + S_FREEINDEX]! || (i32[at]! & bit) !== 0;
}

/** Whether slot idx of span s has its remote-free bit set: another thread freed it, not yet folded (shared heaps). */
export function freedRemotely(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  return (i32[i32[s + S_REMOTE_BITS]! + (idx >>> 5)]! & (1 << (idx & 31))) !== 0;
}
