// mcentral: the spans of one span class that no P holds — partial ones (some slot is free, or freed and
// waiting for a sweep) in a FIFO list, and full ones — behind one lock per class — plus each P's few
// spare spans of the class.
//
// Only the partial list is linked (through S_NEXT, oldest first). Only a P going away looks for full
// spans (its own, in the spans table); otherwise a free finds its own span, and once a quarter of it is
// free (relistThreshold), relist moves it off the full set. So a full span is just marked (S_LIST), and
// filing or unfiling one touches no other span's record and takes no lock. A span a P gives back is
// filed by the same rule: full while fewer than a quarter of its slots are free, with those counted
// toward its relist.
//
// cacheSpan (Go's name) gives an mcache a span with free slots (taking back the one it replaces): one
// of the P's spares, else the oldest partial span, swept so its freed slots come back, else a fresh
// span from mheap. uncacheSpan takes one back, credits the P's allocation counters with what it
// allocated from it (Go credits at this point too), and files it. A span whose last object is freed
// while no P holds it goes straight back to mheap, unless its class has few partial spans
// (KEEP_EMPTY_BYTES).
//
// Spares (P_SPARE, up to SPARES_PER_CLASS per size class, a ring taken oldest first) are not Go's: Go
// frees nothing explicitly, so its spans return to mcentral in bulk, at sweeps. Here a relist happens
// for every quarter-span of frees, and on a shared heap every trip through a class's list moves the
// list's cache line (and the lock's) between cores. So when relist finds that the freeing P is the one
// that cached the span last, the span becomes that P's spare instead: its next refills of the class
// take it with no lock, and what one thread allocates and frees stays on its own core. Two threads
// churning one shared heap took 0.2 class-lock holds per step each before, 0.04 with four spares. With
// span owners (below) a shared heap keeps up to 32: a span on the partial list has no owner, so even
// its allocator's frees of it cost two Atomics calls (and move its cache lines to whoever frees), and
// with four spares the 2-thread churn made 0.14 such frees per step and thread, 0.07 with eight, 0.005
// with 32 (Sys the same, in use 1.06 → 1.08× the live bytes). A single-thread heap keeps four: eight
// cost it 2 % more memory on the churn (Sys/live 1.244 → 1.271). A P's spares go back to the lists when
// it detaches, is released or flushes (Heap.flushCache), and its empty ones back to mheap before the
// heap grows.
//
// Owners (S_OWNER; not Go's, whose frees all happen in its sweeper). On a shared heap a span's mark
// bits have a single writer: the P that holds the span, filed it full, or keeps it as a spare — the P
// whose thread allocated its objects. Its frees of them are plain reads and writes, like a
// single-thread heap's. Any other thread's free (freeRemote) sets the slot's remote bit with one atomic
// or and bumps S_REMOTE_FREED; the owner folds those bits into the mark bits when it next counts or
// sweeps the span. Ownership changes hands only through mcentral's lists, under the class lock:
// pushPartial gives it up, a P taking a span from the list (or a fresh one from mheap) takes it. So a
// full span stays with its owner, and when other threads' frees make it worth reusing, the one that
// tips it over claims it (FULL → INBOX, one compare-exchange) and pushes it on its owner's inbox
// (P_INBOX, a lock-free stack): the owner's next refill takes it, as a spare or onto the partial list.
// A P that goes away gives up every span it owns (releaseOwned). The point is cost: V8 (Node 20)
// compiles no Atomics call inline (~120 machine instructions each), and a thread that frees what it
// allocated — the usual case — now makes none; freeing for another thread (producer and consumer) makes
// two.
//
// Go keeps swept and unswept sets and flips their roles each GC cycle. Here an explicit free can happen
// at any time, so instead a span is always swept when a P takes it; sweeping is a copy of a few bitmap
// words, cheap next to handing out the span's slots.

import {
  H_SWEEPGEN,
  LIST_CACHED,
  LIST_FULL,
  LIST_NONE,
  LIST_PARTIAL,
  LIST_SPARE,
  MCACHE_WORDS,
  MCENTRAL_WORDS,
  MC_LOCK,
  MC_NPARTIAL,
  MC_PARTIAL_HEAD,
  MC_PARTIAL_TAIL,
  PAGE_SIZE,
  PS_SMALL_ALLOC,
  PS_SMALL_FREE,
  P_SPARE,
  P_SPARE_RING,
  SPARES_PER_CLASS,
  SPARES_SINGLE_THREAD,
  S_ALLOC_COUNT,
  GC_SPAN_TAG,
  H_MAPPED_PAGES,
  LIST_INBOX,
  P_INBOX,
  SPAN_IN_USE,
  S_BASE,
  S_FREED,
  S_FREEINDEX,
  S_INBOX_NEXT,
  S_LIST,
  S_MARK_BITS,
  S_NPAGES,
  S_NELEMS,
  S_NEXT,
  S_OWNER,
  S_REMOTE_BITS,
  S_REMOTE_FREED,
  S_SPANCLASS,
  S_STATE,
  S_SWEEPGEN,
} from './layout.js';
import { lock, unlock } from './lock.js';
import { allocSpan, freeSpan } from './mheap.js';
import {
  allocatedSinceCache,
  foldRemoteFrees,
  freedRemotely,
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
 * A span filed full leaves the full set (for a spare slot or the partial list) once this many of its
 * slots (at least one) are free: a quarter. Moving it at its first free would fill the partial lists
 * with spans of one or two free slots, and every refill would buy only that many allocations. A quarter rather than an eighth:
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

/** Appends span s to the partial list; mcentral owns it now (its owner, if any, gave it up). */
function pushPartial(h: HeapState, c: number, s: number): void {
  const i32 = h.i32;
  i32[s + S_OWNER] = -1;
  const last = i32[c + MC_PARTIAL_TAIL]!;
  i32[s + S_NEXT] = 0;
  if (last === 0) i32[c + MC_PARTIAL_HEAD] = s;
  else i32[last + S_NEXT] = s;
  i32[c + MC_PARTIAL_TAIL] = s;
  i32[c + MC_NPARTIAL]++;
  i32[s + S_LIST] = LIST_PARTIAL;
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

/** Takes a span back from this thread's P's mcache and files it by what is left in it. */
export function uncacheSpan(h: HeapState, s: number): void {
  fileSpan(h, s, countUncached(h, s));
}

/**
 * A span of this class with at least one free slot, now held by this thread's P, or 0 if out of
 * memory; first gives back `old` (0 if none), the span the P held, as uncacheSpan would. Go's refill
 * does the same two steps. The P's spare span comes first; only without one is the class lock taken.
 */
export function cacheSpan(h: HeapState, spanclass: number, old: number): number {
  const started = h.trace !== null ? h.trace.now() : 0;
  h.refreshViews(); // the span may lie in memory another thread added
  if (old !== 0) fileSpan(h, old, countUncached(h, old));
  drainInbox(h);
  let s = takeSpare(h, spanclass);
  if (s === 0) {
    const c = central(h, spanclass);
    lockCentral(h, c);
    s = popPartial(h, c);
    if (s !== 0) markCached(h, s);
    unlockCentral(h, c);
  }
  if (s !== 0) {
    sweepAndReserve(h, s);
  } else {
    s = allocSpan(h, classToPages[spanclass >>> 1]!, spanclass);
    if (s === 0) return 0;
    markCached(h, s); // growth may have re-made the views: markCached reads h.i32 afresh
    reserveFreeSlots(h, s);
  }
  h.i32[s + S_SWEEPGEN] = h.i32[H_SWEEPGEN]! + 3; // Go's "swept, then cached"
  if (h.trace !== null)
    h.trace.complete('span refill', started, { sizeclass: spanclass >>> 1, npages: h.i32[s + S_NPAGES]! });
  return s;
}

/** Word index of this P's first spare slot for span class spanclass (its size class's SPARES_PER_CLASS slots). */
function spareSlots(h: HeapState, spanclass: number): number {
  return h.mc + P_SPARE + (spanclass >>> 1) * SPARES_PER_CLASS;
}

// A class's spares form a ring over its slots, so that taking the oldest and adding a newest are O(1):
// with 32 spares a class, shifting a packed array (as before the ring) cost ~1.4 slot moves and ~1.5
// slot reads per churn step. P_SPARE_RING holds (first << 8) | count; unused slots hold 0.

/** The ring word of this P's spares of span class spanclass. */
function spareRing(h: HeapState, spanclass: number): number {
  return h.mc + P_SPARE_RING + (spanclass >>> 1);
}

/** This P's oldest spare span of the class, now cached by it; 0 if it has none. */
function takeSpare(h: HeapState, spanclass: number): number {
  const s = popSpare(h, spanclass);
  if (s !== 0) markCached(h, s);
  return s;
}

/** Takes this P's oldest spare span of the class out of its slots; 0 if it has none. */
function popSpare(h: HeapState, spanclass: number): number {
  const i32 = h.i32;
  const ring = spareRing(h, spanclass);
  const r = i32[ring]!;
  if ((r & 0xff) === 0) return 0;
  const first = r >>> 8;
  const slot = spareSlots(h, spanclass) + first;
  const s = i32[slot]!;
  i32[slot] = 0;
  i32[ring] = (((first + 1) & (SPARES_PER_CLASS - 1)) << 8) | ((r & 0xff) - 1);
  return s;
}

/** Where a new spare span of the class would go in this P's slots (the ring's next one); -1 if the P
 * has as many spares of the class as it keeps. addSpare puts it there. */
function freeSpareSlot(h: HeapState, spanclass: number): number {
  const r = h.i32[spareRing(h, spanclass)]!;
  const count = r & 0xff;
  if (count >= (h.shared ? SPARES_PER_CLASS : SPARES_SINGLE_THREAD)) return -1;
  return spareSlots(h, spanclass) + (((r >>> 8) + count) & (SPARES_PER_CLASS - 1));
}

/** Makes span s this P's newest spare of its class, in `slot`, which freeSpareSlot just gave. */
function addSpare(h: HeapState, s: number, slot: number): void {
  const i32 = h.i32;
  i32[s + S_LIST] = LIST_SPARE;
  i32[slot] = s;
  i32[spareRing(h, i32[s + S_SPANCLASS]!)]++;
}

function markCached(h: HeapState, s: number): void {
  h.i32[s + S_LIST] = LIST_CACHED;
  h.i32[s + S_OWNER] = h.pid;
}

/** Credits the P with what it allocated from cached span s and drops its unused reservations; returns the objects s holds. */
function countUncached(h: HeapState, s: number): number {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  let allocated: number;
  let live: number;
  if (h.shared) foldRemoteFrees(h, s);
  if (i32[s + S_FREEINDEX] === nelems) {
    // Used up, the usual case on a refill: none of its slots is still reserved, so one pass (the live
    // count) does instead of two. On a shared heap too: other threads' frees only clear mark bits,
    // and the handed-out count comes from the alloc bits, which only this P writes.
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

/**
 * Files span s, just uncached and holding `live` objects, by the rule relist applies to full spans:
 * with fewer than relistThreshold free slots it is filed full (its free slots counted toward the
 * relist), with more it goes on the partial list, and with none in use back to mheap.
 */
function fileSpan(h: HeapState, s: number, live: number): void {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  i32[s + S_SWEEPGEN] = i32[H_SWEEPGEN]!;
  if (nelems - live < relistThreshold(nelems)) fileFull(h, s, nelems - live);
  else listPartial(h, s, live);
}

/**
 * Marks span s full with `free` of its slots already free (by its owner's count, other threads' frees
 * folded). No lock: full spans are not linked. The owner keeps it: its own frees stay plain.
 *
 * On a shared heap another thread's free may come between the count and the marking and see the span
 * still cached, so not relist it. The handshake with freeRemote: here "full" is stored, then the remote
 * count loaded; there the remote count is bumped, then the list state loaded — all sequentially
 * consistent, so at least one of the two sees the other and relists if the span has enough free slots.
 */
function fileFull(h: HeapState, s: number, free: number): void {
  const i32 = h.i32;
  i32[s + S_FREED] = free;
  if (!h.shared) {
    i32[s + S_LIST] = LIST_FULL;
    return;
  }
  Atomics.store(i32, s + S_LIST, LIST_FULL);
  if (free + Atomics.load(i32, s + S_REMOTE_FREED) >= relistThreshold(i32[s + S_NELEMS]!)) relist(h, s);
}

/** Puts span s (not full, no P holding it) on its class's partial list, or back to mheap if it holds nothing and its class keeps enough empty spans. */
function listPartial(h: HeapState, s: number, live: number): void {
  const spanclass = h.i32[s + S_SPANCLASS]!;
  const c = central(h, spanclass);
  lockCentral(h, c);
  // An empty span is kept while its class has few partial spans: a P is about to want one, and
  // handing it back costs a sweep instead of a trip through the page heap.
  const toFree = live === 0 && !keepsEmpty(h, c, spanclass);
  if (toFree) h.i32[s + S_LIST] = LIST_NONE;
  else pushPartial(h, c, s);
  unlockCentral(h, c);
  if (toFree) freeSpan(h, s);
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
 * Re-files a full span no P holds once enough of it has been freed (the caller's free was one). Its
 * owner (on a single-thread heap, the one P) keeps it as a spare while it has a slot free for one: its
 * own frees emptied the span, and it is the likeliest to want its class again. Otherwise it goes on the
 * partial list, or back to mheap if it is now empty and its class has enough partial spans. On a shared
 * heap only the owner calls this (other threads' frees go through freeRemote and the owner's inbox);
 * the claim decides against a remote free claiming the span at the same moment.
 */
export function relist(h: HeapState, s: number): void {
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  const spare = i32[s + S_OWNER] === h.pid ? freeSpareSlot(h, i32[s + S_SPANCLASS]!) : -1;
  if (!claimFull(h, s, spare >= 0 ? LIST_SPARE : LIST_NONE)) return;
  // Without other threads the count is exact: S_FREED holds the free slots the span was filed with
  // plus every free since. Only an answer of "empty", which may free the span, is checked.
  let live = nelems - i32[s + S_FREED]!;
  if (h.shared || live <= 0) live = liveCount(h, s);
  refile(h, s, live, spare);
}

/**
 * Files span s, just taken off the full set or out of an inbox and holding `live` objects: into
 * spare slot `spare` (-1 for none), else onto the partial list (or back to mheap), or full again if
 * nothing is free after all.
 */
function refile(h: HeapState, s: number, live: number, spare: number): void {
  const i32 = h.i32;
  if (live === i32[s + S_NELEMS]) {
    // Nothing free after all (the counts that sent it here are a heuristic's): full again.
    fileFull(h, s, 0);
  } else if (spare >= 0) {
    addSpare(h, s, spare);
  } else {
    listPartial(h, s, live);
  }
}

/** Moves span s from full to `next`; false if it is not full (any more). One compare-exchange decides between threads. */
function claimFull(h: HeapState, s: number, next: number): boolean {
  if (h.shared) return Atomics.compareExchange(h.i32, s + S_LIST, LIST_FULL, next) === LIST_FULL;
  if (h.i32[s + S_LIST] !== LIST_FULL) return false;
  h.i32[s + S_LIST] = next;
  return true;
}

/**
 * Puts this P's spare spans back on the partial lists (or back to mheap when empty): when the P goes
 * away, after its cached spans, whose filing may still have made one a spare.
 */
export function releaseSpares(h: HeapState): void {
  for (let spc = 2; spc < NUM_SPAN_CLASSES; spc += 2) {
    for (let s = popSpare(h, spc); s !== 0; s = popSpare(h, spc)) listPartial(h, s, liveCount(h, s));
  }
}

/**
 * Go's page reclaimer, run before the heap grows: sweeps the partial lists and this P's spares and
 * gives every span that holds no object back to the page heap. Returns the pages it freed.
 */
export function reclaim(h: HeapState): number {
  const started = h.trace !== null ? h.trace.now() : 0;
  h.refreshViews();
  let pages = reclaimSpares(h);
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

/** reclaim's part for this P's empty spares (other Ps' are theirs: at most SPARES_PER_CLASS per class each). */
function reclaimSpares(h: HeapState): number {
  let pages = 0;
  for (let spc = 2; spc < NUM_SPAN_CLASSES; spc += 2) {
    // Once round the ring: the empty ones go, the others back in, in the order they were.
    for (let n = h.i32[spareRing(h, spc)]! & 0xff; n > 0; n--) {
      const s = popSpare(h, spc);
      if (liveCount(h, s) !== 0) {
        addSpare(h, s, freeSpareSlot(h, spc));
        continue;
      }
      h.i32[s + S_LIST] = LIST_NONE;
      pages += h.i32[s + S_NPAGES]!;
      freeSpan(h, s);
    }
  }
  return pages;
}

/**
 * Frees slot idx of small-object span s, already validated as live: clears its mark bit (Go's
 * definition of an object the sweeper will reclaim), counts the free, and re-files the span if it was
 * full. Returns false if the slot was freed already (on a shared heap: by another thread, first).
 * (Heap.free inlines the same steps.)
 *
 * On a shared heap only the span's owner clears mark bits, plainly; any other thread's free goes
 * through freeRemote.
 */
export function freeSlot(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  const word = s + S_MARK_BITS + 2 * (idx >>> 5);
  const bit = 1 << (idx & 31);
  if (h.shared) {
    if (i32[s + S_OWNER] !== h.pid) return freeRemote(h, s, idx);
    if (i32[s + S_REMOTE_FREED] !== 0 && freedRemotely(h, s, idx)) return false;
  }
  i32[word] &= ~bit;
  h.f64[h.ps + PS_SMALL_FREE + (i32[s + S_SPANCLASS]! >>> 1)]++;
  if (
    i32[s + S_LIST] === LIST_FULL &&
    ++i32[s + S_FREED] + i32[s + S_REMOTE_FREED]! >= relistThreshold(i32[s + S_NELEMS]!)
  )
    relist(h, s);
  return true;
}

/**
 * A free of slot idx of span s by a thread that does not own s (another P holds it or filed it full,
 * or mcentral has it): sets the slot's remote bit, which decides between two threads freeing one
 * slot, and counts it. If that makes a full span worth reusing, the span goes to its owner's inbox
 * (only the owner may write its mark bits), or, with no owner, onto the partial list. Returns false if
 * the slot was freed already. Two Atomics calls (three at the free that relists): the cost of freeing
 * what another thread allocated.
 */
export function freeRemote(h: HeapState, s: number, idx: number): boolean {
  const i32 = h.i32;
  const bit = 1 << (idx & 31);
  if ((Atomics.or(i32, i32[s + S_REMOTE_BITS]! + (idx >>> 5), bit) & bit) !== 0) return false;
  h.f64[h.ps + PS_SMALL_FREE + (i32[s + S_SPANCLASS]! >>> 1)]++;
  const remote = Atomics.add(i32, s + S_REMOTE_FREED, 1) + 1;
  // After the bump, load the state (see fileFull for the other half of the handshake) — only once the
  // counts reach the threshold, and only if a plain read finds it full: after a span is claimed every
  // later free of it would otherwise pay for one more Atomics call. (On x86 the plain read after the
  // locked add sees the owner's store; on a weakly ordered CPU it may miss it, and the span is relisted
  // by its next free instead.)
  if (
    remote + i32[s + S_FREED]! >= relistThreshold(i32[s + S_NELEMS]!) &&
    i32[s + S_LIST] === LIST_FULL &&
    Atomics.load(i32, s + S_LIST) === LIST_FULL &&
    claimFull(h, s, LIST_INBOX)
  ) {
    const owner = Atomics.load(i32, s + S_OWNER);
    if (owner >= 0) pushInbox(h, owner, s);
    else refile(h, s, liveCount(h, s), -1);
  }
  return true;
}

/** The inbox head word of P `pid`. */
function inboxOf(h: HeapState, pid: number): number {
  return h.pWord + pid * MCACHE_WORDS + P_INBOX;
}

/** Pushes span s (claimed: LIST_INBOX) on P owner's inbox, a lock-free stack only its owner empties. */
function pushInbox(h: HeapState, owner: number, s: number): void {
  const i32 = h.i32;
  const head = inboxOf(h, owner);
  for (;;) {
    const first = Atomics.load(i32, head);
    i32[s + S_INBOX_NEXT] = first;
    if (Atomics.compareExchange(i32, head, first, s) === first) return;
  }
}

/**
 * Takes every span other threads' frees put in this P's inbox and files it as relist would: a spare
 * if it has a slot for one, else the partial list (or mheap when empty). A span this P no longer owns
 * (pushed after its previous thread detached) just goes to the lists.
 */
export function drainInbox(h: HeapState): void {
  const i32 = h.i32;
  if (i32[h.mc + P_INBOX] === 0) return; // a plain read: a span pushed just now waits for the next call
  let s = Atomics.exchange(i32, h.mc + P_INBOX, 0);
  while (s !== 0) {
    const next = i32[s + S_INBOX_NEXT]!;
    i32[s + S_INBOX_NEXT] = 0;
    const owned = i32[s + S_OWNER] === h.pid;
    if (owned) foldRemoteFrees(h, s);
    refile(h, s, liveCount(h, s), owned ? freeSpareSlot(h, i32[s + S_SPANCLASS]!) : -1);
    s = next;
  }
}

/**
 * When a P goes away: gives up every span it still owns — the full ones (its cached spans and spares
 * went back first) — scanning the spans table, since full spans are not linked anywhere. A span with
 * enough free slots goes to the partial list now; the others stay full with no owner, and the free
 * that makes one worth reusing lists it. Then empties the inbox. (A span another thread claims for this
 * P's inbox as the P goes away may be pushed after this: the next thread to attach as this P lists it.)
 */
export function releaseOwned(h: HeapState): void {
  h.refreshViews();
  const mapped = h.i32[H_MAPPED_PAGES]!;
  for (let page = 0; page < mapped; page++) {
    const i32 = h.i32;
    const s = i32[h.spansWord + page]!;
    if (s === 0 || h.u32[s + S_BASE]! >>> 13 !== page || i32[s + S_STATE] !== SPAN_IN_USE) continue;
    const spanclass = i32[s + S_SPANCLASS]!;
    if (spanclass < 2 || (spanclass & GC_SPAN_TAG) !== 0 || i32[s + S_OWNER] !== h.pid) continue;
    foldRemoteFrees(h, s);
    const nelems = i32[s + S_NELEMS]!;
    const live = liveCount(h, s);
    // Its free slots, now all in the mark bits, are what a later remote free adds to (freeRemote).
    i32[s + S_FREED] = nelems - live;
    Atomics.store(i32, s + S_OWNER, -1);
    if (nelems - live >= relistThreshold(nelems) && claimFull(h, s, LIST_NONE)) listPartial(h, s, live);
  }
  drainInbox(h);
}
