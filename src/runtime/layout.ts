// The layout of a heap's buffer: every byte of allocator state lives here, declared once.
//
// A heap is one buffer (ArrayBuffer, growable SharedArrayBuffer or WebAssembly.Memory). Its first pages
// hold the metadata, sized for maxBytes when the heap is made; the rest are heap pages handed out by the
// page allocator. A pointer is a byte offset into the buffer and its page is `p >>> 13`: metadata pages
// are simply never free in the page bitmap, so no base needs subtracting on the hot path.
//
//   byte 0
//   ┌───────────────────────────────────────────────────────────────────────────────────────┐
//   │ header          HEADER_WORDS int32: magic, sizes (one cache line), heap lock and page │
//   │                 counters (the next), fixalloc pool heads, the zero-size object        │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ mcentral[136]   MCENTRAL_WORDS each: lock, partial list (span record indices), length │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ P[maxP]         MCACHE_BYTES each: the mcache (tiny block, alloc[136], inbox), the    │
//   │                 P's own float64 counters (allocs/frees per class, large, tiny),       │
//   │                 spareRing[68] (first slot << 8 | count), spare[68×32]                 │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ spans[maxPages] int32 per page: the span record owning the page, 0 if none (Go's      │
//   │                 arena `spans` table, flat because the heap is at most 4 GiB)          │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ pallocBits      1 bit per page, 1 = in use (metadata and unmapped pages count as used) │
//   │ scavBits        1 bit per page, 1 = never handed out since mapped (HeapReleased, zero) │
//   │ summaries       pageAlloc radix tree, 3 int32 per node (start, max, end free pages)    │
//   │ runMasks        int32 per chunk: one bit per length class of its inner free runs       │
//   ├─── page aligned ──────────────────────────────────────────────────────────────────────┤
//   │ heap pages      spans, and fixalloc chunks holding span records with their bitmaps     │
//   └───────────────────────────────────────────────────────────────────────────────────────┘
//
// A span record (the mspan) lives in the heap pages, allocated by a per-size-class fixalloc pool because
// its size depends on the class: a fixed header, then the class's allocBits and gcmarkBits, then, for
// the tiny class only, two uint16 masks per 16-byte block.
//
//   span record, int32 words from `s` (its word index, which is also its id); records are 64-byte aligned (a multiple of 16 words, from a
//   page-aligned pool chunk), so words 0..15 — all the fast paths read — are one cache line
//   ┌────────┬─────────┬──────────┬──────────┬────────┬───────────┬────────────┬────────────┐
//   │ 0 base │ 1 owner │ 2 spancls│ 3 elemsz │4 nelems│5 freeindex│6 allocCache│7 rfreed    │
//   ├────────┴─────────┴──────────┴──────────┴────────┴───────────┴────────────┴────────────┤
//   │ 8 nprofiled · 9 divMul · 10 list · 11 free slots since filed full · 12 tiny masks     │
//   │ (uint16 index) · 13 state · 14 remote bitmap (word index) · 15 divExact               │
//   │                                                                 ── cache line end     │
//   │ 16 sweepgen · 17 next (partial list) · 18 needzero · 19 pool class · 20 gcTypes       │
//   │ 21 npages · 22 allocCount · 23 next in the owner's inbox                              │
//   │ owner: the P whose thread alone writes the mark bits, -1 = mcentral (mcentral.ts);    │
//   │ rfreed: remote frees not yet folded into them. Both, and the remote bitmap's index,   │
//   │ sit in the first line: a shared heap's free reads them.                               │
//   │ A GC span (src/runtime/gc) has GC_SPAN_TAG or-ed into word 2, links its collector list │
//   │ through word 17, and word 20 holds its object types: for a small scan span the uint16  │
//   │ index of a type-id table at the span's end, for a large object its type id.           │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ bitmaps, interleaved so a slot's two words sit side by side (one address computation):│
//   │   s+24+2w   allocBits word w: slot allocated as of the last sweep; bits past nelems = 1 │
//   │   s+25+2w   gcmarkBits word w: slot holds a live object (cleared by free)              │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ remote bits s+24+2W+w (W bitmap words), on a shared heap only: freed by a thread that │
//   │             does not own the span, not yet folded into gcmarkBits by the owner         │
//   ├───────────────────────────────────────────────────────────────────────────────────────┤
//   │ tiny masks  (class 2 only) per block: uint16 allocated sub-object starts, then uint16 │
//   │             freed sub-object starts; bit k = the sub-object at byte k of the block    │
//   └───────────────────────────────────────────────────────────────────────────────────────┘
//
// The collector (src/runtime/gc) keeps its state in one manual span, the GC region, whose first word
// index is in header word H_GC (0 until a program first uses a GC API):
//
//   GC region, int32 words from g (float64 fields from g/2 + GF_*)
//   ┌───────────────────────────────────────────────────────────────────────────────────────┐
//   │ 0..63    phase, lock, GOGC, cycle counters, tiny block, vectors (types, roots, grey     │
//   │          queue, finalizers): each vector is [data word index, length, capacity]         │
//   │ 64..199  GC mcache: the span cached per span class for collected objects               │
//   │ 256..    GC mcentral: per span class partial[2] and full[2] (head, tail) — swept and    │
//   │          unswept sets whose roles flip with sweepgen parity, as in Go                   │
//   │ then     float64 pacer and statistics fields, PauseNs[256], PauseEnd[256]              │
//   └───────────────────────────────────────────────────────────────────────────────────────┘
//   A P's words 5..7 hold its scope stack (a vector of objects held by open heap.scope calls).
//
// allocCache is a 32-bit window (JS's widest cheap integer) of the inverted allocBits: bit 0 is slot
// `freeindex`, and the window ends at the next multiple of 32, where the slow path reloads it.
//
// The build (scripts/build.mjs) writes these constants into the code that uses them, so naming every
// offset here costs the fast paths nothing.

import { NUM_SIZE_CLASSES, NUM_SPAN_CLASSES, PAGE_SHIFT, PAGE_SIZE, classToObjects } from './sizeclasses.js';

export const MAGIC = 0x676f6d6d; // "gomm"
export const LAYOUT_VERSION = 5; // 2: 64-byte aligned span records and Ps; 3: spare spans per P and class;
// 4: span owners, remote-free bitmaps and a P's inbox; 5: a P's spares of a class are a ring, and the
// header's locks and counters on a cache line of their own

export const CHUNK_PAGES = 512; // pallocChunkPages: the page allocator's leaf, and the growth step
export const CHUNK_BYTES = CHUNK_PAGES * PAGE_SIZE; // 4 MiB
export const SUMMARY_FANOUT = 8; // children per summary node (Go's summaryLevelBits = 3)
export const MAX_HEAP_BYTES = 2 ** 32;

// ── header (int32 word indices) ──────────────────────────────────────────────────────────────
// Line 0 (words 0..15) holds what every thread reads and almost never writes (refills read the sweep
// generation and the mapped size); line 1 the locks and the counters written under the heap lock, so
// that one thread's span allocation does not take line 0 away from the others.
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_MAX_PAGES = 2; // pages the layout was sized for (maxBytes / 8192)
export const H_MAPPED_PAGES = 3; // pages of buffer that exist now
export const H_META_PAGES = 4; // pages taken by this metadata
export const H_MAX_P = 5;
export const H_SWEEPGEN = 6;
export const H_NUM_LEVELS = 7; // summary levels
export const H_MAX_BYTES_LO = 8; // maxBytes as the user gave it (lo/hi 32 bits)
export const H_MAX_BYTES_HI = 9;
export const H_GC = 10; // word index of the GC region (src/runtime/gc), 0 until the collector is used
export const H_ATTACHED_P = 11; // number of attached Ps
export const H_HEAP_LOCK = 16; // mheap lock: page allocator, growth, span records
export const H_P_LOCK = 17; // guards attaching and releasing Ps
export const H_INUSE_PAGES = 18; // pages in heap spans (HeapInuse)
export const H_RELEASED_PAGES = 19; // free pages never handed out since mapped (HeapReleased)
export const H_FIXALLOC_PAGES = 20; // pages given to span-record pools (MSpanSys)
export const H_SPAN_RECORD_BYTES = 21; // bytes of live span records (MSpanInuse)
export const H_GROWTHS = 22; // how many times the buffer grew
export const H_POOL_FREE = 32; // [NUM_SIZE_CLASSES] free-list head of each span-record pool
export const H_POOL_NEXT = H_POOL_FREE + NUM_SIZE_CLASSES; // [..] next unused record in the pool's chunk
export const H_POOL_END = H_POOL_NEXT + NUM_SIZE_CLASSES; // [..] end of the pool's chunk
export const H_ZEROBASE = H_POOL_END + NUM_SIZE_CLASSES; // two words: what malloc(0) points at
export const H_LEVEL_BASE = H_ZEROBASE + 2; // [8] word index of each summary level
/** Words that stay 0, where a detached Heap object points its mcache, so its fast paths always miss and
 * its slow paths can refuse: only malloc's fast path reads the run (its P_ALLOC slots, which end inside
 * the header); every other path checks for a detached object before it reads its mcache. */
export const H_DEAD_MCACHE = 512;
export const HEADER_WORDS = 1024;
export const ZEROBASE_PTR = H_ZEROBASE * 4;

// ── mcentral, one per span class ─────────────────────────────────────────────────────────────
export const MC_LOCK = 0;
export const MC_PARTIAL_HEAD = 1;
export const MC_PARTIAL_TAIL = 2;
export const MC_NPARTIAL = 3; // full spans are neither linked nor counted (see mcentral.ts)
export const MCENTRAL_WORDS = 16; // 64 bytes, a cache line each

// ── a P: its mcache, then its counters ──────────────────────────────────────────────────────
export const P_STATUS = 0; // P_FREE or P_ATTACHED
export const P_TINY = 1; // current tiny block (byte offset), 0 if none
export const P_TINY_OFFSET = 2; // bytes used in it
export const P_TINY_SPAN = 3; // span record of the tiny block
export const P_EPOCH = 4; // bumped on every attach, so a stale handle cannot act for a reused P
export const P_SCOPE = 5; // [3] the P's scope stack vector (data word index, length, capacity), see gc/
export const P_ALLOC = 8; // [NUM_SPAN_CLASSES] cached span record per span class, 0 = none
/** Head of the P's inbox: spans it owns that other threads' frees made worth reusing (a stack linked through S_INBOX_NEXT). */
export const P_INBOX = P_ALLOC + NUM_SPAN_CLASSES;
export const P_STATS_WORD = P_INBOX + 8; // float64 counters start here (8-byte aligned)
// float64 indices relative to the P's stats base
export const PS_SMALL_ALLOC = 0; // [NUM_SIZE_CLASSES] objects credited to each class (Go's smallAllocCount)
export const PS_SMALL_FREE = NUM_SIZE_CLASSES; // [..] objects freed per class (smallFreeCount)
export const PS_TINY_ALLOCS = 2 * NUM_SIZE_CLASSES; // sub-allocations that fitted an existing tiny block
export const PS_LARGE_ALLOC = PS_TINY_ALLOCS + 1; // bytes
export const PS_LARGE_ALLOC_COUNT = PS_TINY_ALLOCS + 2;
export const PS_LARGE_FREE = PS_TINY_ALLOCS + 3; // bytes
export const PS_LARGE_FREE_COUNT = PS_TINY_ALLOCS + 4;
export const P_STATS_F64 = PS_TINY_ALLOCS + 8;
/** Spare-span slots a P has per size class (see mcentral.ts); a single-thread heap uses only
 * SPARES_SINGLE_THREAD of them. */
export const SPARES_PER_CLASS = 32; // a power of two: ring positions wrap with a mask
export const SPARES_SINGLE_THREAD = 4;
/** [NUM_SIZE_CLASSES] where each class's spares sit in its slots, a ring: (first slot << 8) | count. */
export const P_SPARE_RING = P_STATS_WORD + P_STATS_F64 * 2;
/** [NUM_SIZE_CLASSES × SPARES_PER_CLASS] the P's spare spans of each size class, a ring per class (oldest
 * at the first slot), 0 in the unused slots; after the counters, so that what every malloc and free
 * touches (alloc slots, counters) stays close. */
export const P_SPARE = P_SPARE_RING + NUM_SIZE_CLASSES;
// Rounded up to whole 64-byte lines: Ps of different threads never share a cache line.
export const MCACHE_WORDS = (P_SPARE + NUM_SIZE_CLASSES * SPARES_PER_CLASS + 15) & ~15;
export const MCACHE_BYTES = MCACHE_WORDS * 4;
export const P_FREE = 0;
export const P_ATTACHED = 1;

// ── span record ─────────────────────────────────────────────────────────────────────────────
// Words 0..15 are what malloc's and free's fast paths read: with records 64-byte aligned they are one
// cache line, so a free of a random object touches that line and its bitmap word, not three lines.
export const S_BASE = 0;
/** The P whose thread alone writes the span's mark bits (it holds the span, or filed it full, or keeps it
 * as a spare), -1 while mcentral has it. Only a shared heap's free tells owners from others. */
export const S_OWNER = 1;
export const S_SPANCLASS = 2;
export const S_ELEMSIZE = 3;
export const S_NELEMS = 4;
export const S_FREEINDEX = 5;
export const S_ALLOC_CACHE = 6;
/** Remote-free bits set and not yet folded into the mark bits by the owner (counted for relisting). */
export const S_REMOTE_FREED = 7;
/** How many objects of the span the heap profiler sampled and still tracks; while non-zero, free leaves
 * its fast path for the span so the profiler can count the frees. */
export const S_PROFILED = 8;
export const S_DIVMUL = 9;
export const S_LIST = 10;
/** Free slots of a span filed full: those it was filed with plus its owner's frees since (other threads'
 * are in S_REMOTE_FREED); it is relisted when the two reach relistThreshold (a quarter of its slots). */
export const S_FREED = 11;
export const S_TINY_MASKS = 12; // uint16 index of the tiny masks (class 2), 0 otherwise
export const S_STATE = 13;
/** Word index of the span's remote-free bitmap (frees by threads other than the owner; see mcentral.ts). */
export const S_REMOTE_BITS = 14;
export const S_DIV_EXACT = 15; // classToDivExact of its class: object index of an object start, for free
// Words 16..23: what only slow paths read.
export const S_SWEEPGEN = 16;
export const S_NEXT = 17;
export const S_NEEDZERO = 18;
export const S_POOL = 19; // the fixalloc pool (size class) the record came from
/** GC spans: uint16 index of the per-slot type-id table (small scan span) or the type id (large). */
export const S_GC_TYPES = 20;
export const S_NPAGES = 21;
export const S_ALLOC_COUNT = 22; // slots allocated as of the last sweep or uncache (Go's allocCount)
export const S_INBOX_NEXT = 23; // the next span in its owner's inbox
/** Or-ed into S_SPANCLASS of a span of collected objects: negative, so malloc/free paths never take it. */
export const GC_SPAN_TAG = 1 << 31;
export const SPAN_HEADER_WORDS = 24;
/** allocBits word w of span s is at s + S_ALLOC_BITS + 2w, its gcmarkBits word right after it. */
export const S_ALLOC_BITS = SPAN_HEADER_WORDS;
export const S_MARK_BITS = SPAN_HEADER_WORDS + 1;

// ── the GC region (int32 word offsets from its start; see the diagram above) ────────────────
export const G_PHASE = 0; // GC_OFF, GC_MARK, GC_MARKTERM
export const G_LOCK = 1; // serialises collector calls on a shared heap
export const G_GC_PERCENT = 2; // GOGC; -1 = off
export const G_NUM_GC = 3;
export const G_NUM_FORCED = 4;
export const G_TINY = 5; // current tiny block for collected noscan objects (byte offset), 0 if none
export const G_TINY_OFFSET = 6;
export const G_TINY_SPAN = 7;
export const G_TYPES = 8; // vector: type records
export const G_TYPE_INDEX = 11; // vector: type id → word offset of its record in G_TYPES
export const G_ROOTS = 14; // vector: root handle slots (object pointers; released slots chain a free list)
export const G_ROOT_FREE = 17; // first released root slot + 1, 0 if none
export const G_GREY = 18; // vector: the grey queue (object addresses)
export const G_FINALIZERS = 21; // vector: objects with a finalizer (pointer, finalizer id) pairs
export const G_SWEEP_DONE = 24; // 1 once every span of this cycle is swept
export const G_NEXT_FIN_ID = 25;
export const G_STACK_SCAN_P = 26; // concurrent scope-stack scan: next P, then next entry of its stack
export const G_STACK_SCAN_IDX = 27;
// Background mark workers (gc/mark-worker.ts). The grey queue and the words below are guarded by
// G_WORK_LOCK, not G_LOCK, so a worker can trade work while a mutator holds G_LOCK.
export const G_WORK_LOCK = 28;
export const G_BG_WORKERS = 29; // mark workers running: while non-zero, mark bits are set with Atomics.or
export const G_BG_BUSY = 30; // mark workers holding grey objects in their local buffers
export const G_MARK_DONE = 31; // a worker found no work anywhere: the next mutator call ends the cycle
export const G_BG_WAKE = 32; // futex word: bumped when a cycle starts or a worker is asked to stop
export const G_BG_CYCLE = 33; // bumped at every sweep termination, so a worker knows a new cycle began
export const G_BG_SLOTS = 40; // [MAX_MARK_WORKERS × 4]: state, stop request, cycles worked, unused
export const MAX_MARK_WORKERS = 4;
export const G_MCACHE = 64; // [NUM_SPAN_CLASSES]
export const G_CENTRAL = 256; // [NUM_SPAN_CLASSES × 8]: partial0, partial1, full0, full1 as (head, tail)
export const G_F64 = G_CENTRAL + NUM_SPAN_CLASSES * 8; // float64 fields start at word g + G_F64
export const GF_HEAP_LIVE = 0; // bytes allocated since the last mark plus what it marked (Go's heapLive)
export const GF_HEAP_MARKED = 1;
export const GF_HEAP_GOAL = 2;
export const GF_TRIGGER = 3;
export const GF_MEMORY_LIMIT = 4;
export const GF_LAST_HEAP_SCAN = 5; // scannable bytes marked last cycle (Go's lastHeapScan)
export const GF_SCAN_WORK = 6; // bytes scanned this cycle (heapScanWork)
export const GF_BYTES_MARKED = 7;
export const GF_CONS_MARK = 8;
export const GF_PAUSE_TOTAL = 9; // ns
export const GF_LAST_GC = 10; // Unix ns
export const GF_GC_CPU_NS = 11; // GC time since start (pauses, assists, marking in heap.gc)
export const GF_START = 12; // Unix ms when the collector started (for gctrace's @ and GCCPUFraction)
export const GF_MARK_START = 13; // Unix ms when this cycle's mark began
export const GF_HEAP_AT_START = 14; // heapLive when this cycle began
export const GF_STW1_MS = 15;
export const GF_ASSIST_MS = 16;
export const GF_TRIGGERED_AT = 17;
export const GF_ASSIST_CREDIT = 18; // bytes; negative = debt (one assist account for the heap)
export const GF_STACK_SCAN = 19; // bytes of scope stacks scanned (Go's lastStackScan)
export const GF_GLOBALS_SCAN = 20; // bytes of root handles scanned (Go's globalsScan)
export const GF_MARK_MS = 21; // marking time this cycle outside assists (heap.gc, steps)
export const GF_BG_CREDIT = 22; // workers' scan work not yet turned into assist credit (Go's bgScanCredit)
export const GF_BG_BYTES = 23; // bytes workers marked this cycle (folded into GF_BYTES_MARKED at termination)
export const GF_BG_SCAN = 24; // scan work workers did this cycle
export const GF_BG_MS = 25; // workers' marking time this cycle
export const GF_BG_TOTAL_MS = 26; // workers' marking time since the collector started
export const GF_BG_TOTAL_SCAN = 27; // workers' scan work since the collector started
export const GF_PAUSE_NS = 32; // [256]
export const GF_PAUSE_END = GF_PAUSE_NS + 256; // [256]
export const GC_REGION_WORDS = G_F64 + 2 * (GF_PAUSE_END + 256);
export const GC_OFF = 0;
export const GC_MARK = 1;
export const GC_MARKTERM = 2;

export const SPAN_DEAD = 0;
export const SPAN_IN_USE = 1; // a heap span: small objects or one large object
export const SPAN_MANUAL = 2; // pages holding span records (Go's off-heap fixalloc)

export const LIST_NONE = 0;
export const LIST_PARTIAL = 1;
export const LIST_FULL = 2;
export const LIST_CACHED = 3;
export const LIST_SPARE = 4; // in the P_SPARE slot of the P whose frees relisted it
export const LIST_INBOX = 5; // in its owner's inbox: another thread's frees relisted it

/** int32 words of one allocBits or gcmarkBits bitmap for a class (0 = large: one object). */
export function bitmapWords(sizeClass: number): number {
  const objects = sizeClass === 0 ? 1 : classToObjects[sizeClass]!;
  return (objects + 31) >>> 5;
}

/** Words of a span record of a class, bitmaps (the remote bitmap only on a shared heap) and tiny masks included. */
export function spanRecordWords(sizeClass: number, shared: boolean): number {
  const tinyMasks = sizeClass === 2 ? classToObjects[2]! : 0; // two uint16 per block = one word
  const bitmaps = (shared ? 3 : 2) * bitmapWords(sizeClass);
  return (SPAN_HEADER_WORDS + bitmaps + tinyMasks + 15) & ~15; // 64-byte aligned
}

/** Where each region starts, for a heap sized for maxPages pages and maxP Ps. */
export interface Layout {
  maxPages: number;
  maxP: number;
  mcentralWord: number;
  pWord: number;
  spansWord: number;
  pallocWord: number;
  scavWord: number;
  levelWord: number[];
  levelEntries: number[];
  runMaskWord: number;
  metaPages: number;
}

export function computeLayout(maxPages: number, maxP: number): Layout {
  let word = HEADER_WORDS;
  const mcentralWord = word;
  word += NUM_SPAN_CLASSES * MCENTRAL_WORDS;
  const pWord = word;
  word += maxP * MCACHE_WORDS;
  const spansWord = word;
  word += maxPages;
  const bitmapWordsTotal = maxPages >>> 5;
  const pallocWord = word;
  word += bitmapWordsTotal;
  const scavWord = word;
  word += bitmapWordsTotal;
  // Summary levels, leaf first in `entries` order reversed below: the root is level 0.
  const entries: number[] = [];
  for (let n = maxPages / CHUNK_PAGES; ; n = Math.ceil(n / SUMMARY_FANOUT)) {
    entries.unshift(n);
    if (n === 1) break;
  }
  const levelWord: number[] = [];
  for (const n of entries) {
    levelWord.push(word);
    word += n * 3;
  }
  const runMaskWord = word;
  word += maxPages / CHUNK_PAGES;
  const metaPages = Math.ceil((word * 4) / PAGE_SIZE);
  return {
    maxPages,
    maxP,
    mcentralWord,
    pWord,
    spansWord,
    pallocWord,
    scavWord,
    levelWord,
    levelEntries: entries,
    runMaskWord,
    metaPages,
  };
}

export { PAGE_SHIFT, PAGE_SIZE };

// The detached object's mcache run must hold its P_ALLOC slots inside the header (see H_DEAD_MCACHE).
if (H_DEAD_MCACHE + P_ALLOC + NUM_SPAN_CLASSES > HEADER_WORDS)
  throw new Error('layout: H_DEAD_MCACHE overlaps mcentral');
