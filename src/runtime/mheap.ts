// mheap: the page heap. It owns the page allocator, the spans table, the span records and growth, all
// under one lock, as Go's mheap does.
//
// allocSpan finds the lowest run of free pages (pagealloc.ts); if there is none it grows the buffer in
// whole 4 MiB chunks, as Go grows its arenas, until maxBytes. New pages count as released (HeapReleased)
// until they are first handed out, and are known to be zero, so a span made only of them needs no
// clearing. freeSpan gives a span's pages back at once; the page allocator's bitmap merges them with
// their free neighbours, which is all the coalescing a bitmap allocator needs.
//
// Span records (Go's mspan structs) live in the heap too, carved by a small fixed-size allocator per
// size class (Go's fixalloc, 16 KiB chunks) because a record carries its class's bitmaps inline. Those
// chunks are never returned, like Go's, and are counted in MSpanSys, not HeapSys.

import {
  CHUNK_PAGES,
  H_FIXALLOC_PAGES,
  H_HEAP_LOCK,
  H_INUSE_PAGES,
  H_MAPPED_PAGES,
  H_POOL_END,
  H_POOL_FREE,
  H_POOL_NEXT,
  H_RELEASED_PAGES,
  H_SPAN_RECORD_BYTES,
  H_SWEEPGEN,
  H_GROWTHS,
  LIST_NONE,
  PAGE_SHIFT,
  PAGE_SIZE,
  SPAN_DEAD,
  SPAN_HEADER_WORDS,
  SPAN_IN_USE,
  S_BASE,
  S_OWNER,
  S_REMOTE_BITS,
  S_DIVMUL,
  S_DIV_EXACT,
  S_ELEMSIZE,
  S_LIST,
  S_NEEDZERO,
  S_NELEMS,
  S_NEXT,
  S_NPAGES,
  S_POOL,
  S_PROFILED,
  S_SPANCLASS,
  S_STATE,
  S_SWEEPGEN,
  S_TINY_MASKS,
  bitmapWords,
  spanRecordWords,
} from './layout.js';
import { lock, unlock } from './lock.js';
import { reclaim } from './mcentral.js';
import { growBacking } from './memory.js';
import { initBitmaps } from './mspan.js';
import {
  countBits,
  freePagesBelow,
  pageAllocRange,
  pageFind,
  pageFindBest,
  pageFreeRange,
  pageGrow,
  writeBits,
} from './pagealloc.js';
import { TINY_SIZE_CLASS, classToDivExact, classToDivMul, classToObjects, classToSize } from './sizeclasses.js';
import type { HeapState } from './state.js';

/** Pages per span-record pool chunk (Go's _FixAllocChunk is 16 KiB). */
const POOL_CHUNK_PAGES = 2;

// What the last pool refill replaced, so a failed allocation can put it back (only used under the lock).
const refillReleased = new Uint8Array(POOL_CHUNK_PAGES);
let refillOldNext = 0;
let refillOldEnd = 0;

/** Takes mheap's lock; on a shared heap, then catches the views up with growth (see lockCentral). */
export function heapLock(h: HeapState): void {
  if (h.shared) {
    lock(h.i32, H_HEAP_LOCK, h.canBlock);
    h.refreshViews();
  }
}

export function heapUnlock(h: HeapState): void {
  if (h.shared) unlock(h.i32, H_HEAP_LOCK);
}

/**
 * A new in-use span of `npages` pages for span class `spanclass`, or 0 when the heap cannot hold it
 * (nothing is changed then). The span is initialised for allocation and entered in the spans table.
 * Before the heap grows, empty spans still listed in mcentrals are reclaimed, as Go's mheap.reclaim does.
 */
export function allocSpan(h: HeapState, npages: number, spanclass: number): number {
  h.refreshViews();
  const s = allocSpanLocked(h, npages, spanclass, false);
  if (s !== 0) return s;
  reclaim(h);
  return allocSpanLocked(h, npages, spanclass, true);
}

function allocSpanLocked(h: HeapState, npages: number, spanclass: number, mayGrow: boolean): number {
  const sizeClass = spanclass >>> 1;
  heapLock(h);
  try {
    h.refreshViews(); // another thread may have grown the heap while we waited for the lock
    // The record first: if its pool needs a chunk and then the span's pages do not fit, the chunk is
    // undone, so a failed allocation leaves the heap as it was.
    const refill = ensurePoolRecord(h, sizeClass, mayGrow);
    if (refill === -1) return 0;
    const page = findPages(h, npages, mayGrow);
    if (page < 0) {
      if (refill > 0) undoPoolRefill(h, sizeClass, refill);
      return 0;
    }
    const released = pageAllocRange(h, page, npages);
    h.i32[H_RELEASED_PAGES] -= released;
    h.i32[H_INUSE_PAGES] += npages;
    const s = takePoolRecord(h, sizeClass);
    initSpan(h, s, page, npages, spanclass, released === npages ? 0 : 1);
    return s;
  } finally {
    heapUnlock(h);
  }
}

/** Returns a span's pages to the page heap and its record to its pool. */
export function freeSpan(h: HeapState, s: number): void {
  heapLock(h);
  const i32 = h.i32;
  try {
    const page = h.u32[s + S_BASE]! >>> PAGE_SHIFT;
    const npages = i32[s + S_NPAGES]!;
    i32.fill(0, h.spansWord + page, h.spansWord + page + npages);
    pageFreeRange(h, page, npages);
    i32[H_INUSE_PAGES] -= npages;
    i32[s + S_STATE] = SPAN_DEAD;
    i32[s + S_LIST] = LIST_NONE;
    const pool = i32[s + S_POOL]!;
    i32[s + S_NEXT] = i32[H_POOL_FREE + pool]!;
    i32[H_POOL_FREE + pool] = s;
    i32[H_SPAN_RECORD_BYTES] -= spanRecordWords(pool, h.shared) * 4;
  } finally {
    heapUnlock(h);
  }
}

/**
 * First page of a free run of n pages, growing the heap if needed; -1 if it cannot. Go takes the
 * lowest-addressed fit; for spans of two pages or more we take the smallest fit instead (see
 * BEST_FIT_MIN_PAGES). `lowest` asks for Go's choice anyway: span-record pool chunks are never freed,
 * so they are best packed at the bottom of the heap (over five seeds that also measured better).
 */
function findPages(h: HeapState, n: number, mayGrow: boolean, lowest = false): number {
  const page = findFit(h, n, lowest);
  if (page >= 0 || !mayGrow) return page;
  return grow(h, n) ? findFit(h, n, lowest) : -1;
}

/**
 * Runs this long or longer are placed by best fit. Measured on the churn benchmark's mix over five
 * seeds (bench/run.mjs --quick protocol), peak Sys / live bytes was 1.32–1.41 with first fit and
 * 1.23–1.29 with best fit from 2 pages: first fit lets single pages and medium spans nibble at the
 * holes large objects leave, until the next large object finds no hole and the heap grows. Single
 * pages gain nothing from best fit (any hole fits them) and are the commonest request, so they keep
 * the cheaper search.
 */
const BEST_FIT_MIN_PAGES = 2;

function findFit(h: HeapState, n: number, lowest: boolean): number {
  return !lowest && n >= BEST_FIT_MIN_PAGES ? pageFindBest(h, n, h.i32[H_MAPPED_PAGES]!) : pageFind(h, n);
}

/**
 * Maps enough new 4 MiB chunks at the end of the heap for a run of n free pages (counting the free
 * pages already at the end). Returns false, changing nothing, when that would pass maxBytes.
 */
function grow(h: HeapState, n: number): boolean {
  const i32 = h.i32;
  const mapped = i32[H_MAPPED_PAGES]!;
  const need = n - freePagesBelow(h, mapped);
  const add = Math.ceil(need / CHUNK_PAGES) * CHUNK_PAGES;
  if (mapped + add > h.maxPages) return false;
  if (!growBacking(h.backing, (mapped + add) * PAGE_SIZE)) return false;
  h.remakeViews();
  const v = h.i32;
  v[H_MAPPED_PAGES] = mapped + add;
  v[H_RELEASED_PAGES] += add;
  v[H_GROWTHS]++;
  pageGrow(h, mapped, mapped + add);
  if (h.trace !== null) {
    h.trace.instant('heap grow', { fromBytes: mapped * PAGE_SIZE, toBytes: (mapped + add) * PAGE_SIZE });
    h.trace.counter('heap mapped', { bytes: (mapped + add) * PAGE_SIZE });
  }
  return true;
}

/**
 * Makes sure the pool of `sizeClass` has a record to give. Returns 0 if it had one, the first page of
 * the chunk it just took (so the caller can undo it), or -1 if no chunk can be had.
 */
function ensurePoolRecord(h: HeapState, sizeClass: number, mayGrow: boolean): number {
  const i32 = h.i32;
  if (i32[H_POOL_FREE + sizeClass] !== 0) return 0;
  const words = spanRecordWords(sizeClass, h.shared);
  if (i32[H_POOL_NEXT + sizeClass]! + words <= i32[H_POOL_END + sizeClass]!) return 0;
  const page = findPages(h, POOL_CHUNK_PAGES, mayGrow, true);
  if (page < 0) return -1;
  const v = h.i32; // growth may have re-made the views
  for (let k = 0; k < POOL_CHUNK_PAGES; k++) refillReleased[k] = countBits(v, h.scavWord, page + k, 1);
  refillOldNext = v[H_POOL_NEXT + sizeClass]!;
  refillOldEnd = v[H_POOL_END + sizeClass]!;
  const released = pageAllocRange(h, page, POOL_CHUNK_PAGES);
  v[H_RELEASED_PAGES] -= released;
  v[H_FIXALLOC_PAGES] += POOL_CHUNK_PAGES;
  // The old chunk's tail (too small for a record) is abandoned, as fixalloc does.
  v[H_POOL_NEXT + sizeClass] = (page * PAGE_SIZE) >>> 2;
  v[H_POOL_END + sizeClass] = ((page + POOL_CHUNK_PAGES) * PAGE_SIZE) >>> 2;
  if (released !== POOL_CHUNK_PAGES) v.fill(0, (page * PAGE_SIZE) >>> 2, ((page + POOL_CHUNK_PAGES) * PAGE_SIZE) >>> 2);
  return page;
}

function undoPoolRefill(h: HeapState, sizeClass: number, page: number): void {
  const i32 = h.i32;
  pageFreeRange(h, page, POOL_CHUNK_PAGES);
  for (let k = 0; k < POOL_CHUNK_PAGES; k++) {
    if (refillReleased[k]) {
      writeBits(i32, h.scavWord, page + k, 1, true);
      i32[H_RELEASED_PAGES]++;
    }
  }
  i32[H_FIXALLOC_PAGES] -= POOL_CHUNK_PAGES;
  i32[H_POOL_NEXT + sizeClass] = refillOldNext;
  i32[H_POOL_END + sizeClass] = refillOldEnd;
}

function takePoolRecord(h: HeapState, sizeClass: number): number {
  const i32 = h.i32;
  const words = spanRecordWords(sizeClass, h.shared);
  i32[H_SPAN_RECORD_BYTES] += words * 4;
  const free = i32[H_POOL_FREE + sizeClass]!;
  if (free !== 0) {
    i32[H_POOL_FREE + sizeClass] = i32[free + S_NEXT]!;
    return free;
  }
  const s = i32[H_POOL_NEXT + sizeClass]!;
  i32[H_POOL_NEXT + sizeClass] = s + words;
  return s;
}

function initSpan(h: HeapState, s: number, page: number, npages: number, spanclass: number, needzero: number): void {
  const i32 = h.i32;
  const sizeClass = spanclass >>> 1;
  const words = spanRecordWords(sizeClass, h.shared);
  i32.fill(0, s, s + words); // header, bitmaps, tiny masks
  h.u32[s + S_BASE] = page * PAGE_SIZE;
  i32[s + S_NPAGES] = npages;
  i32[s + S_SPANCLASS] = spanclass;
  i32[s + S_ELEMSIZE] = sizeClass === 0 ? npages * PAGE_SIZE : classToSize[sizeClass]!;
  i32[s + S_NELEMS] = sizeClass === 0 ? 1 : classToObjects[sizeClass]!;
  i32[s + S_SWEEPGEN] = i32[H_SWEEPGEN]!;
  i32[s + S_LIST] = LIST_NONE;
  i32[s + S_NEEDZERO] = needzero;
  i32[s + S_OWNER] = -1;
  i32[s + S_PROFILED] = 0;
  h.u32[s + S_DIVMUL] = classToDivMul[sizeClass]!;
  i32[s + S_DIV_EXACT] = classToDivExact[sizeClass]!;
  i32[s + S_POOL] = sizeClass;
  initBitmaps(h, s);
  // The remote bitmap, on a shared heap only, follows the interleaved pair; then the tiny masks.
  const bitmaps = bitmapWords(sizeClass);
  const end = s + SPAN_HEADER_WORDS + (h.shared ? 3 : 2) * bitmaps;
  i32[s + S_REMOTE_BITS] = h.shared ? end - bitmaps : 0;
  i32[s + S_TINY_MASKS] = sizeClass === TINY_SIZE_CLASS ? end * 2 : 0;
  i32[s + S_NEXT] = 0;
  // Publication last, as Go sets the span state last: the spans table is how pointers find it.
  i32[s + S_STATE] = SPAN_IN_USE;
  i32.fill(s, h.spansWord + page, h.spansWord + page + npages);
}
