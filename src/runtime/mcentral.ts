// mcentral: the spans of one span class that no P holds — partial ones (some slot is free, or freed and
// waiting for a sweep) in a FIFO list, and full ones — behind one lock per class.
//
// Only the partial list is linked (through S_NEXT, oldest first). Nothing ever walks the full spans: a
// free finds its own span, and once enough of it is freed, relist moves it to the partial list. So a
// full span is just marked (S_LIST), and filing or unfiling one touches no other span's record.
//
// cacheSpan (Go's name) gives an mcache a span with free slots (taking back the one it replaces): the oldest partial span, swept so its
// freed slots come back, or a fresh span from mheap. uncacheSpan takes one back, credits the P's
// allocation counters with what it allocated from it (Go credits at this point too), and lists it by
// what is left. A span whose last object is freed while no P holds it goes straight back to mheap,
// unless its class has few partial spans (KEEP_EMPTY_BYTES): those are kept for the next refills.
//
// Go keeps swept and unswept sets and flips their roles each GC cycle. Here an explicit free can happen
// at any time, so instead a span is always swept when it is taken from the partial list; sweeping is a
// copy of a few bitmap words, cheap next to handing out the span's slots.

import {
  H_SWEEPGEN,
  LIST_CACHED,
  LIST_FULL,
  LIST_NONE,
  LIST_PARTIAL,
  MCENTRAL_WORDS,
  MC_LOCK,
  MC_NPARTIAL,
  MC_PARTIAL_HEAD,
  MC_PARTIAL_TAIL,
  PAGE_SIZE,
  PS_SMALL_ALLOC,
  PS_SMALL_FREE,
  SPAN_IN_USE,
  S_ALLOC_COUNT,
  S_CACHED_BY,
  S_FREED,
  S_FREEINDEX,
  S_LIST,
  S_MARK_BITS,
  S_NPAGES,
  S_NELEMS,
  S_NEXT,
  S_SPANCLASS,
  S_STATE,
  S_SWEEPGEN,
} from './layout.js';
import { lock, unlock } from './lock.js';
import { allocSpan, freeSpan } from './mheap.js';
import {
  allocatedSinceCache,
  handedOutOfUsedUp,
  liveCount,
  reserveFreeSlots,
  resweepExhausted,
  sweepAndReserve,
  unreserveFreeSlots,
} from './mspan.js';
import { NUM_SPAN_CLASSES, classToPages } from './sizeclasses.js';
import type { HeapState } from './state.js';

/**
 * A span filed full moves to the partial list once this many of its slots (at least one) have been
 * freed: a quarter. Moving it at its first free would fill the partial lists with spans of one or two
 * free slots, and every refill would buy only that many allocations. A quarter rather than an eighth:
 * on the 100k-block churn it takes a third fewer refills (0.098 instead of 0.149 per step) for 0.6 %
 * more memory in use (free slots waiting in full spans).
 */
export function relistThreshold(nelems: number): number {
  return nelems >>> 2 || 1;
}

/**
 * An empty span stays listed while its class's partial spans (it included) span at most this many
 * bytes, instead of going back to mheap. Classes of one object per span (8, 16, 24 and 32 KiB) empty
 * a span at every free and need a new one at every allocation: on the 100k-block churn they made 0.0085
 * page-heap round trips per step (a best-fit search and two summary updates each), most of the page
 * heap's work. Keeping up to 128 KiB of them per class costs at most 8.5 MiB over all 67 classes,
 * and only classes that churn hold any; reclaim still frees them all before the heap grows.
 */
const KEEP_EMPTY_BYTES = 128 << 10;

/** Whether an empty span of class c may stay on its partial list rather than go back to mheap. */
function keepsEmpty(h: HeapState, c: number, spanclass: number): boolean {
  return h.i32[c + MC_NPARTIAL]! * classToPages[spanclass >>> 1]! * PAGE_SIZE < KEEP_EMPTY_BYTES;
}

function central(h: HeapState, spanclass: number): number {
  return h.mcentralWord + spanclass * MCENTRAL_WORDS;
}

/**
 * Takes a class's lock. On a shared heap it then re-makes this thread's views if the buffer grew: a
 * span on the lists may live in memory another thread added, and a stale fixed-length view would read
 * it as undefined and silently drop writes to it. So after locking, always use h.i32 afresh.
 */
function lockCentral(h: HeapState, c: number): void {
  if (h.shared) {
    lock(h.i32, c + MC_LOCK, h.canBlock);
    h.refreshViews();
  }
}

function unlockCentral(h: HeapState, c: number): void {
  if (h.shared) unlock(h.i32, c + MC_LOCK);
}

/** Files span s: appended to the partial list, or marked full. */
function push(h: HeapState, c: number, s: number, list: number): void {
  const i32 = h.i32;
  if (list === LIST_PARTIAL) {
    const last = i32[c + MC_PARTIAL_TAIL]!;
    i32[s + S_NEXT] = 0;
    if (last === 0) i32[c + MC_PARTIAL_HEAD] = s;
    else i32[last + S_NEXT] = s;
    i32[c + MC_PARTIAL_TAIL] = s;
    i32[c + MC_NPARTIAL]++;
  }
  i32[s + S_LIST] = list;
  i32[s + S_FREED] = 0;
}

/** Takes the oldest partial span off the list; 0 if there is none. */
function popPartial(h: HeapState, c: number): number {
  const i32 = h.i32;
  const s = i32[c + MC_PARTIAL_HEAD]!;
  if (s === 0) return 0;
  const next = i32[s + S_NEXT]!;
  i32[c + MC_PARTIAL_HEAD] = next;
  if (next === 0) i32[c + MC_PARTIAL_TAIL] = 0;
  i32[c + MC_NPARTIAL]--;
  i32[s + S_LIST] = LIST_NONE;
  return s;
}

/** Takes a span back from this thread's P's mcache. */
export function uncacheSpan(h: HeapState, s: number): void {
  const live = countUncached(h, s);
  const c = central(h, h.i32[s + S_SPANCLASS]!);
  lockCentral(h, c);
  const filed = fileUncached(h, c, s, live);
  unlockCentral(h, c);
  afterFiling(h, s, filed);
}

/**
 * A span of this class with at least one free slot, now held by this thread's P, or 0 if out of
 * memory; first gives back `old` (0 if none), the span the P held, as uncacheSpan would. Go's refill
 * calls uncacheSpan and then cacheSpan; both need the class's lock, so here they share one hold.
 */
export function cacheSpan(h: HeapState, spanclass: number, old: number): number {
  const started = h.trace !== null ? h.trace.now() : 0;
  const live = old !== 0 ? countUncached(h, old) : 0;
  h.refreshViews(); // the span may lie in memory another thread added
  const c = central(h, spanclass);
  lockCentral(h, c);
  const filed = old !== 0 ? fileUncached(h, c, old, live) : FILED_NONE;
  let s = popPartial(h, c);
  if (s !== 0) {
    h.i32[s + S_LIST] = LIST_CACHED;
    h.i32[s + S_CACHED_BY] = h.pid;
  }
  unlockCentral(h, c);
  if (old !== 0) afterFiling(h, old, filed);
  if (s !== 0) {
    sweepAndReserve(h, s);
  } else {
    s = allocSpan(h, classToPages[spanclass >>> 1]!, spanclass);
    if (s === 0) return 0;
    const i32 = h.i32; // growth may have re-made the views
    i32[s + S_LIST] = LIST_CACHED;
    i32[s + S_CACHED_BY] = h.pid;
    reserveFreeSlots(h, s);
  }
  h.i32[s + S_SWEEPGEN] = h.i32[H_SWEEPGEN]! + 3; // Go's "swept, then cached"
  if (h.trace !== null)
    h.trace.complete('span refill', started, { sizeclass: spanclass >>> 1, npages: h.i32[s + S_NPAGES]! });
  return s;
}

/** Credits the P with what it allocated from cached span s and drops its unused reservations; returns the objects s holds. */
function countUncached(h: HeapState, s: number): number {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  let allocated: number;
  let live: number;
  if (!h.shared && i32[s + S_FREEINDEX] === nelems) {
    // Used up, the usual case on a refill: none of its slots is still reserved, so one pass (the live
    // count) does instead of two.
    allocated = handedOutOfUsedUp(h, s);
    live = liveCount(h, s);
  } else {
    allocated = allocatedSinceCache(h, s);
    live = unreserveFreeSlots(h, s);
  }
  h.f64[h.ps + PS_SMALL_ALLOC + (i32[s + S_SPANCLASS]! >>> 1)] += allocated;
  i32[s + S_ALLOC_COUNT] += allocated;
  return live;
}

const FILED_NONE = 0;
const FILED_PARTIAL = 1;
const FILED_FULL = 2;
const FILED_TO_FREE = 3;

/** Under the class lock: lists span s, just uncached with `live` objects, by what is left in it. */
function fileUncached(h: HeapState, c: number, s: number, live: number): number {
  const i32 = h.i32;
  i32[s + S_CACHED_BY] = -1;
  i32[s + S_SWEEPGEN] = i32[H_SWEEPGEN]!;
  if (live === 0 && !keepsEmpty(h, c, i32[s + S_SPANCLASS]!)) {
    i32[s + S_LIST] = LIST_NONE;
    return FILED_TO_FREE;
  }
  // An empty span is kept while its class has few partial spans: a P is about to want one, and
  // handing it back costs a sweep instead of a trip through the page heap.
  const full = live >= i32[s + S_NELEMS]!;
  push(h, c, s, full ? LIST_FULL : LIST_PARTIAL);
  return full ? FILED_FULL : FILED_PARTIAL;
}

/** After the class lock is dropped: what filing decided needs doing to span s. */
function afterFiling(h: HeapState, s: number, filed: number): void {
  if (filed === FILED_TO_FREE) freeSpan(h, s);
  // A free on another thread may have come between our count and our listing, and seen the span
  // still cached; looking again after listing means one of us always sees the other. Only a span
  // filed full can be wrong that way: a partial one is found by the next cacheSpan regardless.
  // The look itself needs no lock: relist only when some slot is free by now. It must read the mark
  // bits after the listing is visible: the atomic load first keeps the plain loads of liveCount after
  // it (and after the unlock that published S_LIST) on every CPU; freeSlot does the mirror image.
  else if (filed === FILED_FULL && h.shared) {
    Atomics.load(h.i32, s + S_LIST);
    if (liveCount(h, s) < h.i32[s + S_NELEMS]!) relist(h, s);
  }
}

/**
 * The span in hand first: when this P has handed out every slot of its cached span s but at least 1/8
 * of them have been freed since, sweep s where it is and keep it, instead of filing it with mcentral
 * and taking another. This is the same sweep cacheSpan would do (mark bits become alloc bits), minus
 * the trip through the central lists; it is what keeps an alloc/free loop on one span. Returns false
 * (nothing changed) when s is too full to be worth it.
 */
export function resweepCachedSpan(h: HeapState, s: number): boolean {
  const i32 = h.i32;
  const handedOut = resweepExhausted(h, s, i32[s + S_NELEMS]! >>> 3 || 1);
  if (handedOut < 0) return false;
  h.f64[h.ps + PS_SMALL_ALLOC + (i32[s + S_SPANCLASS]! >>> 1)] += handedOut;
  return true;
}

/**
 * Re-files a span no P holds after frees: a full span with a freed slot becomes partial, or goes back
 * to mheap if it is now empty and its class has another partial span. Idempotent, so racing callers
 * are harmless.
 */
export function relist(h: HeapState, s: number): void {
  const c = central(h, h.i32[s + S_SPANCLASS]!);
  lockCentral(h, c);
  const i32 = h.i32;
  if (i32[s + S_STATE] !== SPAN_IN_USE || i32[s + S_LIST] !== LIST_FULL) {
    unlockCentral(h, c);
    return;
  }
  // Without other threads the count is exact: the span was full when filed, and every free since is
  // in S_FREED. Only an answer of "empty", which frees the span, is checked against the bitmap.
  const nelems = i32[s + S_NELEMS]!;
  let live = nelems - i32[s + S_FREED]!;
  if (h.shared || live <= 0) live = liveCount(h, s);
  if (live < nelems) {
    i32[s + S_LIST] = LIST_NONE; // off the (unlinked) full set
    if (live === 0 && !keepsEmpty(h, c, i32[s + S_SPANCLASS]!)) {
      unlockCentral(h, c);
      freeSpan(h, s);
      return;
    }
    push(h, c, s, LIST_PARTIAL);
  }
  unlockCentral(h, c);
}

/**
 * Go's page reclaimer, run before the heap grows: sweeps the partial lists and gives every span that
 * holds no object back to the page heap. Returns the pages it freed.
 */
export function reclaim(h: HeapState): number {
  const started = h.trace !== null ? h.trace.now() : 0;
  h.refreshViews();
  let pages = 0;
  for (let spc = 2; spc < NUM_SPAN_CLASSES; spc++) {
    const c = central(h, spc);
    lockCentral(h, c);
    // One pass over the list, unlinking the empty spans as it goes.
    const empty: number[] = [];
    const i32 = h.i32;
    let prev = 0;
    for (let s = i32[c + MC_PARTIAL_HEAD]!; s !== 0;) {
      const next = i32[s + S_NEXT]!;
      if (liveCount(h, s) === 0) {
        if (prev === 0) i32[c + MC_PARTIAL_HEAD] = next;
        else i32[prev + S_NEXT] = next;
        i32[c + MC_NPARTIAL]--;
        i32[s + S_LIST] = LIST_NONE;
        empty.push(s);
      } else {
        prev = s;
      }
      s = next;
    }
    i32[c + MC_PARTIAL_TAIL] = prev;
    unlockCentral(h, c);
    for (const s of empty) {
      pages += h.i32[s + S_NPAGES]!;
      freeSpan(h, s);
    }
  }
  if (h.trace !== null) h.trace.complete('sweep (page reclaim)', started, { pagesFreed: pages });
  return pages;
}

/**
 * Frees slot idx of small-object span s, already validated as live: clears its mark bit (Go's
 * definition of an object the sweeper will reclaim), counts the free, and re-files the span if it was
 * full. Returns false if another thread freed the same slot first. (Heap.free inlines the same steps.)
 *
 * On a shared heap two reads are atomic: the clear, which decides between two threads freeing one
 * slot, and the read of S_LIST after it, which must not be done before the clear is visible — it is
 * one half of the handshake with afterFiling (a sequentially consistent load after a read-modify-write
 * keeps that order on every CPU; a plain load does not on ARM). S_FREED, a heuristic count, is bumped
 * plainly: two frees racing on one span can lose an increment, which only delays the relist by a
 * free. Atomics calls cost 10–20 ns each in V8 (see mspan.ts), so that saves one per free.
 */
export function freeSlot(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  const word = s + S_MARK_BITS + 2 * (idx >>> 5);
  const bit = 1 << (idx & 31);
  let list: number;
  if (h.clearMarkLoadList !== null) {
    list = h.clearMarkLoadList(word << 2, bit, (s + S_LIST) << 2); // the same two steps, one wasm call
    if (list === -1) return false;
  } else if (h.shared) {
    if ((Atomics.and(i32, word, ~bit) & bit) === 0) return false;
    list = Atomics.load(i32, s + S_LIST);
  } else {
    i32[word] &= ~bit;
    list = i32[s + S_LIST]!;
  }
  h.f64[h.ps + PS_SMALL_FREE + (i32[s + S_SPANCLASS]! >>> 1)]++;
  if (list === LIST_FULL && ++i32[s + S_FREED] >= relistThreshold(i32[s + S_NELEMS]!)) relist(h, s);
  return true;
}
