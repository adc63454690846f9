// pageAlloc: which pages are free, and how to find a run of N free pages without scanning them all.
//
// Go's design, sized for a heap of at most 4 GiB: a bitmap with one bit per 8 KiB page (1 = in use),
// cut into 4 MiB chunks of 512 pages, and above it a radix tree of summaries. A summary describes a
// range of pages with three counts — free pages at its start, the longest free run anywhere in it, and
// free pages at its end — and a parent's summary is merged from its 8 children's. Finding N pages walks
// down from the root: an entry whose `max` is at least N holds a fit, and a run that straddles two
// entries is seen as the left one's `end` plus the right one's `start`, so no page is ever scanned
// outside the one chunk the walk ends in. The answer is the lowest-addressed fit (first fit). pageFindBest
// answers the smallest fit instead, for mheap's multi-page spans: it reads every mapped chunk's leaf
// summary but only the bitmaps of chunks whose `max` could hold a fit.
//
//   level 0 (root) ── 8 children ── … ── leaf level: one summary per chunk ── pallocBits (512 bits)
//
// Pages that are metadata or not yet mapped are simply "in use", so growth is freeing pages at the end.
// A second bitmap, scavBits, marks free pages that were never handed out since they were mapped: they
// are what Go calls released (HeapReleased), and they are known to be zero.

import { CHUNK_PAGES, SUMMARY_FANOUT } from './layout.js';
import type { HeapState } from './state.js';

const CHUNK_WORDS = CHUNK_PAGES >>> 5;

/** Pages an entry of `level` covers. */
function capacity(h: HeapState, level: number): number {
  return CHUNK_PAGES * SUMMARY_FANOUT ** (h.levelWord.length - 1 - level);
}

/** Marks every page in use and every summary full: the state before any memory is mapped. */
export function pageAllocInit(h: HeapState): void {
  h.i32.fill(-1, h.pallocWord, h.pallocWord + (h.maxPages >>> 5));
  h.i32.fill(0, h.scavWord, h.scavWord + (h.maxPages >>> 5));
  for (let l = 0; l < h.levelWord.length; l++) {
    h.i32.fill(0, h.levelWord[l]!, h.levelWord[l]! + 3 * h.levelEntries[l]!);
  }
}

/** Pages [from, to) were just mapped: they become free and released. */
export function pageGrow(h: HeapState, from: number, to: number): void {
  writeBits(h.i32, h.pallocWord, from, to - from, false);
  writeBits(h.i32, h.scavWord, from, to - from, true);
  updateSummaries(h, from, to);
}

/** Marks [page, page+n) in use. Returns how many of those pages were released (never used). */
export function pageAllocRange(h: HeapState, page: number, n: number): number {
  const released = countBits(h.i32, h.scavWord, page, n);
  writeBits(h.i32, h.pallocWord, page, n, true);
  if (released !== 0) writeBits(h.i32, h.scavWord, page, n, false);
  updateSummaries(h, page, page + n);
  return released;
}

/** Marks [page, page+n) free again. */
export function pageFreeRange(h: HeapState, page: number, n: number): void {
  writeBits(h.i32, h.pallocWord, page, n, false);
  updateSummaries(h, page, page + n);
}

/** Whether every page of [page, page+n) is in use (a sanity check for frees). */
export function pagesInUse(h: HeapState, page: number, n: number): boolean {
  return countBits(h.i32, h.pallocWord, page, n) === n;
}

/** The first page of the lowest run of n free pages, or -1 if there is none. */
export function pageFind(h: HeapState, n: number): number {
  return findInLevel(h, 0, 0, h.levelEntries[0]!, n);
}

/**
 * The first page of the smallest run of at least n free pages (the lowest such run when several tie),
 * or -1; only pages below `limit` are looked at. The walk is over the leaf summaries: a chunk's `start`
 * closes the run coming from the chunks before it and its `end` opens the next, so only chunks whose
 * `max` could hold a fit strictly inside them have their bitmap read. An exact fit ends the search.
 */
export function pageFindBest(h: HeapState, n: number, limit: number): number {
  const i32 = h.i32;
  const leaf = h.levelWord[h.levelWord.length - 1]!;
  const chunks = Math.ceil(limit / CHUNK_PAGES);
  bestStart = -1;
  bestLen = 0x7fffffff;
  let run = 0; // free pages ending at the current chunk's first page
  for (let c = 0; c < chunks; c++) {
    const w = leaf + 3 * c;
    const start = i32[w]!;
    const chunkPage = c * CHUNK_PAGES;
    if (start === CHUNK_PAGES) {
      run += CHUNK_PAGES;
      continue;
    }
    if (run + start >= n && offerRun(chunkPage - run, run + start, n)) return bestStart;
    // Inside the chunk only runs from n to bestLen - 1 pages can improve the answer: look only if
    // the chunk's run mask has one of those lengths.
    const longest = Math.min(i32[w + 1]!, bestLen - 1);
    if (longest >= n && (i32[h.runMaskWord + c]! & lengthMask(n, longest)) !== 0 && offerInterior(h, c, n))
      return bestStart;
    run = i32[w + 2]!;
  }
  if (run >= n) offerRun(chunks * CHUNK_PAGES - run, run, n);
  return bestStart;
}

/**
 * The run-mask bit of a free run of len pages (1 ≤ len ≤ CHUNK_PAGES): one bit per exact length up to
 * 16 pages, then one per half octave (17–24, 25–32, 33–48, … 385–512). The commonest multi-page
 * requests (the 2–4 page spans of the 16–32 KiB classes) are short, and with exact bits a chunk whose
 * mask says "a run of that length" always holds one: pageFindBest then reads only bitmaps that improve
 * its answer. Octave-wide bits sent it through most chunks' bitmaps for nothing (a 2-page run in the
 * 2–3 bit was no use to a 3-page request).
 */
const RUN_CLASS = new Uint8Array(CHUNK_PAGES + 1);
for (let len = 1; len <= CHUNK_PAGES; len++) {
  if (len <= 16) {
    RUN_CLASS[len] = len - 1;
  } else {
    const octave = 31 - Math.clz32(len - 1); // len in (2^octave, 2^(octave+1)]
    const upperHalf = len > (1 << octave) + (1 << (octave - 1)) ? 1 : 0;
    RUN_CLASS[len] = 16 + 2 * (octave - 4) + upperHalf;
  }
}

/** Run-mask bits of every length from lo to hi pages. */
function lengthMask(lo: number, hi: number): number {
  return ((2 << RUN_CLASS[hi]!) - 1) & ~((1 << RUN_CLASS[lo]!) - 1);
}

// pageFindBest's running answer (module state rather than an object per call: no garbage).
let bestStart = -1;
let bestLen = 0;

/** A free run of len pages at page `at` is a candidate; returns true when it is an exact fit. */
function offerRun(at: number, len: number, n: number): boolean {
  if (len < bestLen) {
    bestStart = at;
    bestLen = len;
  }
  return len === n;
}

/**
 * Offers the free runs of chunk c that touch neither of its edges (those are its summary's start and
 * end, handled by the caller).
 */
function offerInterior(h: HeapState, c: number, n: number): boolean {
  const chunkPage = c * CHUNK_PAGES;
  openChunk(h, c);
  while (nextRun(h.i32)) {
    if (runLen >= n && runAt !== 0 && runAt + runLen !== CHUNK_PAGES && offerRun(chunkPage + runAt, runLen, n))
      return true;
  }
  return false;
}

// A cursor over one chunk's free runs (module state rather than an object per call: no garbage).
// nextRun sets runAt/runLen (pages from the chunk's first page) to the next run, a word at a time
// with count-trailing-zeros rather than a bit at a time.
let cursorBase = 0;
let cursorPage = 0;
let runAt = 0;
let runLen = 0;

function openChunk(h: HeapState, c: number): void {
  cursorBase = h.pallocWord + c * CHUNK_WORDS;
  cursorPage = 0;
}

/** Moves to the chunk's next free run; false when there is none. */
function nextRun(i32: Int32Array): boolean {
  let page = cursorPage;
  // Skip used pages. Shifting fills the top with zeros, which read as "not free": the next word.
  for (;;) {
    if (page >= CHUNK_PAGES) {
      cursorPage = page;
      return false;
    }
    const free = ~i32[cursorBase + (page >>> 5)]! >>> (page & 31);
    if (free !== 0) {
      page += 31 - Math.clz32(free & -free);
      break;
    }
    page = (page + 32) & ~31;
  }
  runAt = page;
  // Count free pages up to the next used one. Here the zero fill reads as "free": to the word's end.
  for (;;) {
    const used = i32[cursorBase + (page >>> 5)]! >>> (page & 31);
    if (used !== 0) {
      page += 31 - Math.clz32(used & -used);
      break;
    }
    page = (page + 32) & ~31;
    if (page >= CHUNK_PAGES) break;
  }
  runLen = page - runAt;
  cursorPage = page;
  return true;
}

/** Free pages just below page `end` (the end of the mapped heap): they extend into any growth. */
export function freePagesBelow(h: HeapState, end: number): number {
  const i32 = h.i32;
  let run = 0;
  let page = end;
  while (page > 0) {
    const word = i32[h.pallocWord + ((page - 1) >>> 5)]!;
    const bitsBelow = ((page - 1) & 31) + 1; // bits of this word below `page`
    const masked = bitsBelow === 32 ? word : word & ((1 << bitsBelow) - 1);
    if (masked === 0) {
      run += bitsBelow;
      page -= bitsBelow;
      continue;
    }
    return run + Math.clz32(masked) - (32 - bitsBelow);
  }
  return run;
}

function findInLevel(h: HeapState, level: number, first: number, count: number, n: number): number {
  const i32 = h.i32;
  const w = h.levelWord[level]!;
  const cap = capacity(h, level);
  const leaf = level === h.levelWord.length - 1;
  let run = 0; // free pages ending just before entry i
  for (let i = first; i < first + count; i++) {
    const start = i32[w + 3 * i]!;
    if (run + start >= n) return i * cap - run;
    if (i32[w + 3 * i + 1]! >= n) {
      if (leaf) return findInChunk(h, i, n);
      const childFirst = i * SUMMARY_FANOUT;
      const childCount = Math.min(SUMMARY_FANOUT, h.levelEntries[level + 1]! - childFirst);
      return findInLevel(h, level + 1, childFirst, childCount, n);
    }
    run = start === cap ? run + cap : i32[w + 3 * i + 2]!;
  }
  return -1;
}

/** First run of n free pages inside chunk c, which its summary says exists. */
function findInChunk(h: HeapState, c: number, n: number): number {
  openChunk(h, c);
  while (nextRun(h.i32)) if (runLen >= n) return c * CHUNK_PAGES + runAt;
  return -1;
}

/**
 * Recomputes the summaries covering pages [from, to), leaf to root. A node is a function of its
 * children only, so once a whole level comes out unchanged the levels above it are already right.
 */
function updateSummaries(h: HeapState, from: number, to: number): void {
  const levels = h.levelWord.length;
  let first = Math.floor(from / CHUNK_PAGES);
  let last = Math.floor((to - 1) / CHUNK_PAGES);
  let changed = false;
  for (let c = first; c <= last; c++) if (summarizeChunk(h, c)) changed = true;
  for (let level = levels - 2; level >= 0 && changed; level--) {
    first = Math.floor(first / SUMMARY_FANOUT);
    last = Math.floor(last / SUMMARY_FANOUT);
    changed = false;
    for (let i = first; i <= last; i++) if (mergeChildren(h, level, i)) changed = true;
  }
}

/** Writes summary node (start, max, end) at word s; returns whether it differs from what was there. */
function storeSummary(i32: Int32Array, s: number, start: number, max: number, end: number): boolean {
  if (i32[s] === start && i32[s + 1] === max && i32[s + 2] === end) return false;
  i32[s] = start;
  i32[s + 1] = max;
  i32[s + 2] = end;
  return true;
}

/**
 * Recomputes chunk c's leaf summary, and its run mask: bit RUN_CLASS[len] set when a free run of len
 * pages lies strictly inside the chunk (touching neither edge), which lets pageFindBest skip chunks
 * that hold nothing between n and its best so far. Returns whether the summary changed.
 */
function summarizeChunk(h: HeapState, c: number): boolean {
  const i32 = h.i32;
  let start = 0;
  let max = 0;
  let end = 0;
  let mask = 0;
  openChunk(h, c);
  while (nextRun(i32)) {
    if (runLen > max) max = runLen;
    const atStart = runAt === 0;
    const atEnd = runAt + runLen === CHUNK_PAGES;
    if (atStart) start = runLen;
    if (atEnd) end = runLen;
    if (!atStart && !atEnd) mask |= 1 << RUN_CLASS[runLen]!;
  }
  i32[h.runMaskWord + c] = mask;
  return storeSummary(i32, h.levelWord[h.levelWord.length - 1]! + 3 * c, start, max, end);
}

function mergeChildren(h: HeapState, level: number, i: number): boolean {
  const i32 = h.i32;
  const childWord = h.levelWord[level + 1]!;
  const childCap = capacity(h, level + 1);
  const firstChild = i * SUMMARY_FANOUT;
  const nChildren = Math.min(SUMMARY_FANOUT, h.levelEntries[level + 1]! - firstChild);
  let start = 0;
  let startDone = false;
  let max = 0;
  let run = 0;
  for (let k = 0; k < nChildren; k++) {
    const c = childWord + 3 * (firstChild + k);
    const cs = i32[c]!;
    const cm = i32[c + 1]!;
    if (!startDone) {
      start += cs;
      if (cs !== childCap) startDone = true;
    }
    if (run + cs > max) max = run + cs;
    if (cm > max) max = cm;
    run = cs === childCap ? run + childCap : i32[c + 2]!;
  }
  if (run > max) max = run;
  // Children missing past the end of the tree count as in use, which ends any run at the right edge.
  const end = nChildren === SUMMARY_FANOUT ? run : 0;
  return storeSummary(i32, h.levelWord[level]! + 3 * i, start, max, end);
}

/** Sets or clears n bits from bit `first` of the bitmap at word `base`. */
export function writeBits(i32: Int32Array, base: number, first: number, n: number, set: boolean): void {
  let bit = first;
  const end = first + n;
  while (bit < end) {
    const w = base + (bit >>> 5);
    const lo = bit & 31;
    const span = Math.min(32 - lo, end - bit);
    const mask = span === 32 ? -1 : ((1 << span) - 1) << lo;
    i32[w] = set ? i32[w]! | mask : i32[w]! & ~mask;
    bit += span;
  }
}

/** How many of n bits from bit `first` of the bitmap at word `base` are set. */
export function countBits(i32: Int32Array, base: number, first: number, n: number): number {
  let bit = first;
  const end = first + n;
  let count = 0;
  while (bit < end) {
    const w = base + (bit >>> 5);
    const lo = bit & 31;
    const span = Math.min(32 - lo, end - bit);
    const mask = span === 32 ? -1 : ((1 << span) - 1) << lo;
    count += popcount(i32[w]! & mask);
    bit += span;
  }
  return count;
}

export function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
