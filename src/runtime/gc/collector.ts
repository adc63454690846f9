// Collector: one thread's handle on a heap's garbage collector — typed allocation (heap.new), pointer
// stores with the write barrier, roots and scopes. All collector state is in the buffer (the GC region,
// see layout.ts); this object caches decoded types and holds this thread's finalizer functions.
//
// Roots. Go scans goroutine stacks and globals; JavaScript locals are invisible, so roots are explicit:
//   * root handles (heap.root(obj)) — Go's globals; released by handle.release();
//   * scopes: every object heap.new returns is held by the innermost open heap.scope on this thread
//     until that scope returns; the scope's return value, if it is an object, is then held by the
//     enclosing scope ("escapes"). With no scope open, objects are held by the thread's base scope,
//     which only an explicit heap.gc() called outside any scope empties. So a fresh object is never
//     collected before the program can link or root it: automatic cycles never free anything a scope
//     holds, and the program chooses when the base scope ends.
//   * the objects finalizers are queued for, and everything reachable from objects with finalizers.
// Pointers read with loadPointer are not roots: root or link an object before unlinking its last path.
//
// Cycles run at three kinds of points, all inside collector calls: an allocation that crosses the
// pacer's trigger starts one; allocations during marking pay mark assists (scan work in proportion
// to bytes allocated, Go's assist ratio) and the assist that empties the grey queue ends the cycle;
// heap.gc() runs a whole cycle and the sweep. heap.gcStep(work) drives marking explicitly.
//
// On a shared heap every collector call holds the GC lock (G_LOCK), so the pauses are trivially
// stop-the-world for all Ps. Background mark workers (bgworker.ts, mark-worker.ts) are the exception:
// they drain the grey queue concurrently, trading work under the separate work lock (mark.ts).

import { InvalidPointerError, OutOfMemoryError } from '../errors.js';
import {
  GC_MARK,
  GC_OFF,
  GC_REGION_WORDS,
  GC_SPAN_TAG,
  GF_ASSIST_CREDIT,
  GF_BYTES_MARKED,
  GF_HEAP_GOAL,
  GF_HEAP_LIVE,
  GF_MEMORY_LIMIT,
  GF_SCAN_WORK,
  GF_START,
  GF_TRIGGER,
  G_F64,
  G_BG_WORKERS,
  G_GC_PERCENT,
  G_LOCK,
  G_MARK_DONE,
  G_MCACHE,
  G_PHASE,
  G_ROOTS,
  G_ROOT_FREE,
  G_TINY,
  G_TINY_OFFSET,
  G_TINY_SPAN,
  H_GC,
  H_SWEEPGEN,
  MCACHE_WORDS,
  PAGE_SIZE,
  PS_LARGE_ALLOC,
  PS_LARGE_ALLOC_COUNT,
  PS_SMALL_ALLOC,
  PS_TINY_ALLOCS,
  P_SCOPE,
  SPAN_IN_USE,
  S_ALLOC_BITS,
  S_ALLOC_CACHE,
  S_ALLOC_COUNT,
  S_BASE,
  S_DIVMUL,
  S_ELEMSIZE,
  S_FREEINDEX,
  S_GC_TYPES,
  S_MARK_BITS,
  S_NEEDZERO,
  S_NELEMS,
  S_SPANCLASS,
  S_STATE,
  S_SWEEPGEN,
  S_TINY_MASKS,
} from '../layout.js';
import { lock, unlock } from '../lock.js';
import {
  MAX_SMALL_SIZE,
  TINY_SIZE,
  TINY_SPAN_CLASS,
  classToPages,
  classToSize,
  roundUpSize,
  sizeToClass128,
  sizeToClass8,
} from '../sizeclasses.js';
import type { HeapState } from '../state.js';
import { GcTypeError, GcUsageError } from './errors.js';
import { GcWork, greyObject } from './mark.js';
import { MarkWorker, type MarkWorkerHandle, reserveSlot } from './bgworker.js';
import type { HeapHandle } from '../heap.js';
import { HEAP_MINIMUM } from './pacer.js';
import { assist, collectorInit, gcFull, gcStart, gcStep, maybeTrigger, runFinalizers, setFinalizer } from './cycle.js';
import { gcCacheSpan, gcListLarge, gcNextFree, gcUncacheSpan, growGcSpan } from './spans.js';
import { BYTE_TYPE_ID, type GcType, TypeInfo, type TypeSpec, checkSpec, loadType, storeType } from './types.js';
import { allocManual, vecData, vecLen, vecPush, vecReserve, vecSetLen } from './vec.js';
import type { CycleTrace } from './trace.js';

const TWO_TO_MINUS_32 = 2 ** -32;

/** What heap.root returns: an explicit root holding one object (or nil). */
export interface RootHandle {
  get(): number;
  set(obj: number): void;
  release(): void;
}

export type GcTraceOption = boolean | ((line: string, cycle: CycleTrace) => void);

/** What the Heap object offers the collector for heap profiling (see Heap.profileAlloc/profileFree). */
export interface ProfileSink {
  memProfile: unknown;
  nextSample: number;
  profileAlloc(p: number, size: number): number;
  profileFree(p: number): void;
}

/** Whether byte `offset` of an object of type t starts one of its pointer words (struct types only). */
function isPointerField(t: TypeInfo | undefined, offset: number): t is TypeInfo {
  return (
    t !== undefined && t.isStruct && (offset & 3) === 0 && offset >>> 0 < t.size && t.isPtrWord[offset >>> 2] === 1
  );
}

export class Collector {
  readonly h: HeapState;
  /** The GC region's first word, and its float64 fields' first index. */
  g = 0;
  gf = 0;
  /** Decoded types by id (filled on first use; a mark worker fills it at each cycle start). */
  readonly typeTable: (TypeInfo | undefined)[] = [];
  /** This thread's local grey buffer (Go's per-P gcWork). */
  readonly work = new GcWork();
  private readonly arrayTypes = new Map<string, TypeInfo>();
  /** Open heap.scope calls on this thread. */
  scopeDepth = 0;
  /** This thread's finalizer functions, by the id their buffer record carries. */
  readonly finalizerFns = new Map<number, (obj: number) => void>();
  /** Finalizers found due, waiting to run on this thread. */
  readonly dueFinalizers: Array<[number, (obj: number) => void]> = [];
  trace: ((line: string, cycle: CycleTrace) => void) | null = null;
  /** Re-entrancy guard: a finalizer or trace callback calling back in is fine, a cycle inside a cycle is not. */
  inCycle = false;

  constructor(h: HeapState) {
    this.h = h;
    this.attach();
  }

  private attach(): void {
    const h = this.h;
    h.refreshViews();
    let g = Atomics.load(h.i32, H_GC);
    if (g <= 0) g = collectorInit(this);
    this.g = g;
    this.gf = (g + G_F64) >>> 1;
    // A P reused after a thread detached starts with an empty scope stack (the old thread's scopes
    // are gone; Go frees a dead goroutine's stack).
    h.i32[h.mc + P_SCOPE + 1] = 0;
    const byte = new TypeInfo(BYTE_TYPE_ID, 'byte', 1, 1, []);
    byte.owner = this;
    this.typeTable[BYTE_TYPE_ID] = byte;
  }

  /** Re-reads the views after something may have grown the buffer. */
  refresh(): void {
    this.h.refreshViews();
  }

  get bytesMarked(): number {
    return this.h.f64[this.gf + GF_BYTES_MARKED]!;
  }
  set bytesMarked(v: number) {
    this.h.f64[this.gf + GF_BYTES_MARKED] = v;
  }
  get scanWork(): number {
    return this.h.f64[this.gf + GF_SCAN_WORK]!;
  }
  set scanWork(v: number) {
    this.h.f64[this.gf + GF_SCAN_WORK] = v;
  }

  // ── locking (shared heaps only) ─────────────────────────────────────────────────────────────
  private depth = 0;
  enter(): void {
    if (this.h.pid < 0) throw new GcUsageError('this heap object was detached');
    // Only another thread can grow a buffer behind our back; our own growth refreshes the views.
    if (this.h.shared && this.depth++ === 0) {
      lock(this.h.i32, this.g + G_LOCK, this.h.canBlock);
      this.h.refreshViews();
    }
  }
  leave(): void {
    if (this.h.shared && --this.depth === 0) unlock(this.h.i32, this.g + G_LOCK);
  }

  // ── types ───────────────────────────────────────────────────────────────────────────────────
  defineType(spec: TypeSpec): GcType {
    const { name, size, offs } = checkSpec(spec);
    this.enter();
    try {
      const id = storeType(this.h, this.g, size, size, offs);
      const t = new TypeInfo(id, name, size, size, offs);
      t.owner = this;
      this.typeTable[id] = t;
      return t;
    } finally {
      this.leave();
    }
  }

  get byteType(): GcType {
    return this.typeTable[BYTE_TYPE_ID]!;
  }

  /** The type of an array of n elements of `elem` (interned per thread). */
  arrayType(elem: GcType, n: number): TypeInfo {
    const e = this.checkType(elem);
    if (!Number.isInteger(n) || n < 0 || n * e.size > 2 ** 31) {
      throw new GcTypeError(`array length must be an integer from 0 with at most 2^31 bytes, got ${String(n)}`);
    }
    const key = `${e.id}x${n}`;
    let t = this.arrayTypes.get(key);
    if (t !== undefined) return t;
    this.enter();
    try {
      const id = storeType(this.h, this.g, n * e.size, e.size, [...e.offs]);
      t = new TypeInfo(id, `[${n}]${e.name}`, n * e.size, e.size, [...e.offs], e, n);
      t.owner = this;
    } finally {
      this.leave();
    }
    this.typeTable[t.id] = t;
    this.arrayTypes.set(key, t);
    return t;
  }

  typeById(id: number): TypeInfo {
    const t = this.typeTable[id];
    if (t !== undefined) return t;
    const loaded = loadType(this.h, this.g, id);
    if (loaded === null) throw new GcTypeError(`no type with id ${id}`);
    loaded.owner = this;
    this.typeTable[id] = loaded;
    return loaded;
  }

  private checkType(t: unknown): TypeInfo {
    if (t instanceof TypeInfo && t.owner === this) return t;
    if (t instanceof TypeInfo) {
      // A type made by another thread's Heap object for the same shared heap: the same record.
      const mine = this.typeTable[t.id] ?? loadType(this.h, this.g, t.id);
      if (mine !== null && mine.size === t.size && mine.offs.join() === t.offs.join() && this.h.shared) {
        mine.owner = this;
        this.typeTable[t.id] = mine;
        return mine;
      }
      throw new GcTypeError(`type ${t.name} belongs to another heap`);
    }
    throw new GcTypeError('not a type of this heap (make one with heap.defineType)');
  }

  // ── allocation ──────────────────────────────────────────────────────────────────────────────
  /** A new zeroed object of type t, held by the current scope. */
  alloc(type: GcType): number {
    const t = this.checkType(type);
    this.enter();
    try {
      const p = this.mallocgc(t);
      this.pushScope(p);
      if (!t.noscan || t.size >= TINY_SIZE) this.remember(p, t);
      return p;
    } finally {
      this.leave();
    }
  }

  allocArray(type: GcType, n: number): number {
    return this.alloc(this.arrayType(type, n));
  }

  private mallocgc(t: TypeInfo): number {
    const h = this.h;
    const size = t.size;
    if (size === 0) return this.mallocgc(this.typeTable[BYTE_TYPE_ID]!); // no zerobase: every object is distinct
    const f64 = h.f64;
    const gf = this.gf;
    if (h.i32[this.g + G_PHASE] !== GC_OFF) {
      f64[gf + GF_ASSIST_CREDIT] -= size;
      // In debt, or a mark worker found nothing left to mark: the assist ends the cycle then.
      if (f64[gf + GF_ASSIST_CREDIT]! < 0 || h.i32[this.g + G_MARK_DONE] !== 0) assist(this);
    } else if (f64[gf + GF_HEAP_LIVE]! >= f64[gf + GF_TRIGGER]!) {
      maybeTrigger(this);
    }
    let p: number;
    if (t.noscan && size < TINY_SIZE) return this.tinyAlloc(size); // tiny objects are not sampled here
    if (size <= MAX_SMALL_SIZE && (t.spanClass >= 0 || spanClassOf(t) >= 0)) p = this.smallAlloc(t);
    else p = this.largeAlloc(t);
    // Heap profiling, as malloc does it: the countdown is the Heap object's, charged the slot's size.
    const sink = h as unknown as ProfileSink;
    if (sink.memProfile) {
      let accounted = t.accounted;
      if (accounted === 0) {
        accounted = t.accounted =
          size <= MAX_SMALL_SIZE && t.spanClass >= 0 ? roundUpSize(size) : Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
      }
      if ((sink.nextSample -= accounted) < 0) sink.profileAlloc(p, accounted);
    }
    return p;
  }

  private smallAlloc(t: TypeInfo): number {
    const h = this.h;
    const spc = t.spanClass;
    const cls = spc >>> 1;
    const slot = this.g + G_MCACHE + spc;
    let s = h.i32[slot]!;
    let idx = -1;
    if (s !== 0) {
      // nextFreeFast, as in Heap.malloc: the lowest free slot in the cached allocCache window.
      const cache = h.i32[s + S_ALLOC_CACHE]!;
      const t = 31 - Math.clz32(cache & -cache);
      const i = h.i32[s + S_FREEINDEX]! + t;
      if (cache !== 0 && ((i + 1) & 31) !== 0 && i < h.i32[s + S_NELEMS]!) {
        h.i32[s + S_ALLOC_CACHE] = cache >>> (t + 1);
        h.i32[s + S_FREEINDEX] = i + 1;
        idx = i;
      } else {
        idx = gcNextFree(h, s);
      }
    }
    if (idx < 0) {
      if (s !== 0) {
        h.i32[slot] = 0;
        gcUncacheSpan(h, this.g, s);
      }
      s = this.cacheOrCollect(spc, t.size);
      h.refreshViews();
      h.i32[slot] = s;
      idx = gcNextFree(h, s);
    }
    const i32 = h.i32;
    i32[s + S_ALLOC_COUNT]++;
    const elemsize = i32[s + S_ELEMSIZE]!;
    const p = h.u32[s + S_BASE]! + idx * elemsize;
    if (i32[s + S_NEEDZERO] !== 0) {
      if (elemsize <= 64) for (let w = p >>> 2, end = (p + elemsize) >>> 2; w < end; w++) i32[w] = 0;
      else i32.fill(0, p >>> 2, (p + elemsize) >>> 2);
    }
    if ((spc & 1) === 0) h.u16[i32[s + S_GC_TYPES]! + idx] = t.id;
    this.allocated(s, idx, elemsize);
    h.f64[h.ps + PS_SMALL_ALLOC + cls]++;
    return p;
  }

  /** Bookkeeping every new object shares: heapLive, and allocate-black during marking. */
  private allocated(s: number, idx: number, bytes: number): void {
    const h = this.h;
    h.f64[this.gf + GF_HEAP_LIVE] += bytes;
    if (h.i32[this.g + G_PHASE] !== GC_OFF) {
      const at = s + S_MARK_BITS + 2 * (idx >>> 5);
      // A mark worker may be setting another bit of the same word.
      if (h.i32[this.g + G_BG_WORKERS] !== 0) Atomics.or(h.i32, at, 1 << (idx & 31));
      else h.i32[at]! |= 1 << (idx & 31);
      this.bytesMarked += bytes;
    }
  }

  /** cacheSpan, and when the heap is full: finish sweeping, collect, and try once more. */
  private cacheOrCollect(spc: number, n: number): number {
    let s = gcCacheSpan(this.h, this.g, spc);
    if (s === 0 && !this.inCycle) {
      gcFull(this, false, true);
      s = gcCacheSpan(this.h, this.g, spc);
    }
    if (s === 0) throw new OutOfMemoryError(n, this.h.byteLength, this.h.maxPages * PAGE_SIZE);
    return s;
  }

  private tinyAlloc(n: number): number {
    const h = this.h;
    const g = this.g;
    let i32 = h.i32;
    let off = i32[g + G_TINY_OFFSET]!;
    if ((n & 7) === 0) off = (off + 7) & ~7;
    else if ((n & 3) === 0) off = (off + 3) & ~3;
    else if ((n & 1) === 0) off = (off + 1) & ~1;
    const tiny = h.u32[g + G_TINY]!;
    if (tiny !== 0 && off + n <= TINY_SIZE) {
      i32[g + G_TINY_OFFSET] = off + n;
      h.f64[h.ps + PS_TINY_ALLOCS]++;
      const s = i32[g + G_TINY_SPAN]!;
      const m = i32[s + S_TINY_MASKS]! + (((tiny - h.u32[s + S_BASE]!) >>> 4) << 1);
      h.u16[m] = h.u16[m]! | (1 << off);
      return tiny + off;
    }
    const block = this.smallAlloc(this.tinyBlockType());
    i32 = h.i32;
    const s = i32[h.spansWord + (block >>> 13)]!;
    i32.fill(0, block >>> 2, (block >>> 2) + 4);
    const m = i32[s + S_TINY_MASKS]! + (((block - h.u32[s + S_BASE]!) >>> 4) << 1);
    h.u16[m] = 1;
    h.u16[m + 1] = 0;
    if (tiny === 0 || n < i32[g + G_TINY_OFFSET]!) {
      h.u32[g + G_TINY] = block;
      i32[g + G_TINY_OFFSET] = n;
      i32[g + G_TINY_SPAN] = s;
    }
    return block;
  }

  private tinyType: TypeInfo | null = null;
  /** A 16-byte noscan type: what a tiny block is allocated as. */
  private tinyBlockType(): TypeInfo {
    if (this.tinyType === null) {
      this.tinyType = this.arrayType(this.typeTable[BYTE_TYPE_ID]!, TINY_SIZE);
      if (this.tinyType.spanClass < 0) spanClassOf(this.tinyType);
    }
    return this.tinyType;
  }

  private largeAlloc(t: TypeInfo): number {
    const h = this.h;
    const npages = Math.ceil(t.size / PAGE_SIZE);
    const spc = t.noscan ? 1 : 0;
    let s = npages <= h.maxPages ? growGcSpan(h, spc, npages) : 0;
    if (s === 0 && !this.inCycle && npages <= h.maxPages) {
      gcFull(this, false, true);
      s = growGcSpan(h, spc, npages);
    }
    if (s === 0) throw new OutOfMemoryError(t.size, h.byteLength, h.maxPages * PAGE_SIZE);
    const i32 = h.i32;
    const p = h.u32[s + S_BASE]!;
    if (i32[s + S_NEEDZERO] !== 0) h.u8.fill(0, p, p + npages * PAGE_SIZE);
    i32[s + S_GC_TYPES] = t.id;
    i32[s + S_ALLOC_COUNT] = 1;
    i32[s + S_FREEINDEX] = 1;
    gcListLarge(h, this.g, s);
    this.allocated(s, 0, npages * PAGE_SIZE);
    h.f64[h.ps + PS_LARGE_ALLOC] += npages * PAGE_SIZE;
    h.f64[h.ps + PS_LARGE_ALLOC_COUNT]++;
    return p;
  }

  // ── pointers ────────────────────────────────────────────────────────────────────────────────
  /**
   * The span record of the live collected object at p (p must be its start, or a tiny sub-object's),
   * or an InvalidPointerError. Sets `lastIdx` to the slot.
   */
  lastIdx = 0;
  objectSpan(p: unknown, op: string): number {
    if (typeof p !== 'number' || p >>> 0 !== p) throw new InvalidPointerError(p, `${op}: not a pointer`);
    const h = this.h;
    const i32 = h.i32;
    if (p >= i32.length << 2) throw new InvalidPointerError(p, `${op}: outside the heap`);
    const s = i32[h.spansWord + (p >>> 13)]!;
    if (s === 0 || i32[s + S_STATE] !== SPAN_IN_USE || (i32[s + S_SPANCLASS]! & GC_SPAN_TAG) === 0) {
      throw new InvalidPointerError(p, `${op}: not a collected object (heap.new)`);
    }
    const spc = i32[s + S_SPANCLASS]! & 0xff;
    const base = h.u32[s + S_BASE]!;
    let idx = 0;
    if (spc > 1) {
      idx = Math.floor((p - base) * h.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
      if (idx >= i32[s + S_NELEMS]!) throw new InvalidPointerError(p, `${op}: not a collected object`);
      const start = base + idx * i32[s + S_ELEMSIZE]!;
      if (start !== p) {
        const m = spc === TINY_SPAN_CLASS ? h.u16[i32[s + S_TINY_MASKS]! + 2 * idx]! : 0;
        if ((m & (1 << (p - start))) === 0) throw new InvalidPointerError(p, `${op}: interior pointer`);
      }
    } else if (p !== base) {
      throw new InvalidPointerError(p, `${op}: interior pointer`);
    }
    const bit = 1 << (idx & 31);
    const at = s + S_ALLOC_BITS + 2 * (idx >>> 5);
    const sg = i32[H_SWEEPGEN]!;
    // Unswept (the last cycle's verdict is pending): live iff marked. Swept: live iff allocated. On a
    // shared heap another thread may sweep the span while we look — its sweep turns the mark bits into
    // alloc bits and then clears them, so a live object's mark bit read mid-sweep may be 0 already.
    // So a span being swept is waited for (a sweep takes well under a microsecond), and a mark bit
    // counts only if the span was still unswept after it was read.
    let live: boolean;
    for (;;) {
      const ssg = h.shared ? Atomics.load(i32, s + S_SWEEPGEN) : i32[s + S_SWEEPGEN]!;
      if (i32[s + S_STATE] !== SPAN_IN_USE) {
        live = false; // the sweep found nothing live and gave the span back
        break;
      }
      if (ssg === sg - 1 && h.shared) continue;
      if (ssg === sg - 2 || ssg === sg - 1) {
        live = (i32[at + 1]! & bit) !== 0;
        if (!h.shared || Atomics.load(i32, s + S_SWEEPGEN) === ssg) break;
        continue;
      }
      live = spc <= 1 || (i32[at]! & bit) !== 0 || idx < i32[s + S_FREEINDEX]!;
      break;
    }
    if (!live) throw new InvalidPointerError(p, `${op}: not a live object (collected?)`);
    this.lastIdx = idx;
    return s;
  }

  /** The type of the live object at obj. */
  typeOf(obj: number): TypeInfo {
    this.enter();
    try {
      return this.typeAt(this.objectSpan(obj, 'typeOf'), this.lastIdx);
    } finally {
      this.leave();
    }
  }

  private typeAt(s: number, idx: number): TypeInfo {
    const i32 = this.h.i32;
    const spc = i32[s + S_SPANCLASS]! & 0xff;
    if ((spc & 1) !== 0) return this.typeTable[BYTE_TYPE_ID]!; // noscan: we only know it has no pointers
    if (spc <= 1) return this.typeById(i32[s + S_GC_TYPES]!);
    return this.typeById(this.h.u16[i32[s + S_GC_TYPES]! + idx]!);
  }

  private pointerSlot(obj: number, offset: number, op: string): number {
    const s = this.objectSpan(obj, op);
    const spc = this.h.i32[s + S_SPANCLASS]! & 0xff;
    if ((spc & 1) !== 0) throw new GcTypeError(`${op}: object ${obj} has no pointer fields`);
    const t = this.typeAt(s, this.lastIdx);
    if (!t.isPointerField(offset)) {
      throw new GcTypeError(`${op}: offset ${String(offset)} is not a pointer field of ${t.name}`);
    }
    return (obj + offset) >>> 2;
  }

  /**
   * The word index of pointer field `offset` of the live object obj — the common case (a struct in a
   * small scan span, swept or cached) checked inline; anything else, including every error, takes
   * pointerSlot, which checks the same things one by one and says what is wrong.
   */
  private fieldWord(obj: number, offset: number, op: string): number {
    const h = this.h;
    const i32 = h.i32;
    const v = (obj >>> 3) & VC_MASK;
    if (this.vcObj[v] === obj && this.vcSg === i32[H_SWEEPGEN] && isPointerField(this.vcType[v], offset)) {
      return (obj + offset) >>> 2;
    }
    if (obj >>> 0 === obj && obj < h.u8.length) {
      const s = i32[h.spansWord + (obj >>> 13)]!;
      const spcw = i32[s + S_SPANCLASS]!;
      // A GC span (tag bit: negative), scan (bit 0 clear), small (class > 0), in use.
      if (s !== 0 && spcw < 0 && (spcw & 1) === 0 && (spcw & 0xfe) !== 0 && i32[s + S_STATE] === SPAN_IN_USE) {
        const u32 = h.u32;
        const base = u32[s + S_BASE]!;
        const idx = Math.floor((obj - base) * u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
        const ssg = i32[s + S_SWEEPGEN]!;
        const sg = i32[H_SWEEPGEN]!;
        const at = s + S_ALLOC_BITS + 2 * (idx >>> 5);
        if (
          idx < i32[s + S_NELEMS]! &&
          base + idx * i32[s + S_ELEMSIZE]! === obj &&
          (ssg === sg || ssg === sg + 3) &&
          ((i32[at]! & (1 << (idx & 31))) !== 0 || idx < i32[s + S_FREEINDEX]!)
        ) {
          const t = this.typeTable[h.u16[i32[s + S_GC_TYPES]! + idx]!];
          if (isPointerField(t, offset)) {
            this.remember(obj, t);
            return (obj + offset) >>> 2;
          }
        }
      }
    }
    return this.pointerSlot(obj, offset, op);
  }

  /** Whether p is a live collected object — the common case inline, as fieldWord; else objectSpan decides (or throws). */
  private checkTarget(p: number, op: string): void {
    const h = this.h;
    const i32 = h.i32;
    const v = (p >>> 3) & VC_MASK;
    if (this.vcObj[v] === p && this.vcSg === i32[H_SWEEPGEN] && this.vcType[v] !== undefined) return;
    if (p >>> 0 === p && p < h.u8.length) {
      const s = i32[h.spansWord + (p >>> 13)]!;
      const spcw = i32[s + S_SPANCLASS]!;
      if (s !== 0 && spcw < 0 && (spcw & 0xfe) !== 0 && i32[s + S_STATE] === SPAN_IN_USE) {
        const u32 = h.u32;
        const base = u32[s + S_BASE]!;
        const idx = Math.floor((p - base) * u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
        const ssg = i32[s + S_SWEEPGEN]!;
        const sg = i32[H_SWEEPGEN]!;
        if (
          idx < i32[s + S_NELEMS]! &&
          base + idx * i32[s + S_ELEMSIZE]! === p &&
          (ssg === sg || ssg === sg + 3) &&
          ((i32[s + S_ALLOC_BITS + 2 * (idx >>> 5)]! & (1 << (idx & 31))) !== 0 || idx < i32[s + S_FREEINDEX]!)
        ) {
          return;
        }
      }
    }
    this.objectSpan(p, op);
  }

  // ── the validation cache ────────────────────────────────────────────────────────────────────
  // Objects this thread allocated or checked lately, with their types, in a small direct-mapped
  // cache. An entry stays true while H_SWEEPGEN is unchanged: collected objects are only ever freed
  // by sweeping, and nothing is swept that was found live under the current sweepgen (a span is
  // swept only once per sweepgen, and what its sweep frees was already dead — unmarked — before).
  // So checking an object again costs a few loads from this thread's own arrays instead of the span
  // lookup, and any change of sweepgen (mark termination, on any thread) empties it.
  private readonly vcObj = new Uint32Array(VC_SIZE);
  private readonly vcType: (TypeInfo | undefined)[] = new Array<TypeInfo | undefined>(VC_SIZE).fill(undefined);
  private vcSg = -1;

  private remember(p: number, t: TypeInfo): void {
    const sg = this.h.i32[H_SWEEPGEN]!;
    if (sg !== this.vcSg) {
      this.vcObj.fill(0);
      this.vcType.fill(undefined);
      this.vcSg = sg;
    }
    const v = (p >>> 3) & VC_MASK;
    this.vcObj[v] = p;
    this.vcType[v] = t;
  }

  /** obj.field = target, with Go's hybrid write barrier while marking (shade old and new). */
  storePointer(obj: number, offset: number, target: number): void {
    this.enter();
    try {
      const w = this.fieldWord(obj, offset, 'storePointer');
      if (target !== 0) this.checkTarget(target, 'storePointer target');
      const h = this.h;
      if (h.i32[this.g + G_PHASE] === GC_OFF) {
        h.u32[w] = target;
        return;
      }
      const old = h.u32[w]!;
      if (old !== 0) greyObject(this, old);
      if (target !== 0) greyObject(this, target);
      // A mark worker may be reading this field (workers scan only while marking, and the phase
      // changes only under G_LOCK, which we hold): publish the target's span with the store.
      if (h.i32[this.g + G_BG_WORKERS] !== 0) Atomics.store(h.u32, w, target);
      else h.u32[w] = target;
    } finally {
      this.leave();
    }
  }

  loadPointer(obj: number, offset: number): number {
    this.enter();
    try {
      return this.h.u32[this.fieldWord(obj, offset, 'loadPointer')]!;
    } finally {
      this.leave();
    }
  }

  /** Bytes of the object at obj (its size class's size, or whole pages). */
  sizeOf(obj: number): number {
    this.enter();
    try {
      const s = this.objectSpan(obj, 'sizeOf');
      return this.h.i32[s + S_ELEMSIZE]!;
    } finally {
      this.leave();
    }
  }

  /** Shades a pointer being written into a root while marking (roots were scanned at cycle start). */
  shadeRoot(p: number): void {
    if (p !== 0 && this.h.i32[this.g + G_PHASE] === GC_MARK) greyObject(this, p);
  }

  // ── roots ───────────────────────────────────────────────────────────────────────────────────
  root(obj: number): RootHandle {
    this.enter();
    let slot: number;
    try {
      if (obj !== 0) this.objectSpan(obj, 'root');
      const h = this.h;
      const d = this.g + G_ROOTS;
      const free = h.i32[this.g + G_ROOT_FREE]!;
      if (free !== 0) {
        slot = free - 1;
        const data = vecData(h, d);
        h.i32[this.g + G_ROOT_FREE] = h.i32[data + 2 * slot + 1]!;
      } else {
        slot = vecLen(h, d) >>> 1;
        vecReserve(h, d, 2);
        vecSetLen(h, d, 2 * slot + 2);
      }
      const data = vecData(h, d);
      h.u32[data + 2 * slot] = obj;
      h.i32[data + 2 * slot + 1] = -1;
      this.shadeRoot(obj);
    } finally {
      this.leave();
    }
    return new Root(this, slot);
  }

  // ── scopes ──────────────────────────────────────────────────────────────────────────────────
  private scopeVec(): number {
    return this.h.mc + P_SCOPE;
  }

  pushScope(p: number): void {
    const h = this.h;
    const d = this.scopeVec();
    const len = h.i32[d + 1]!;
    if (len < h.i32[d + 2]!) {
      h.u32[h.i32[d]! + len] = p;
      h.i32[d + 1] = len + 1;
    } else {
      vecPush(h, d, p);
    }
  }

  scope<T>(fn: () => T): T {
    if (typeof fn !== 'function') throw new GcUsageError('scope takes a function');
    const d = this.scopeVec();
    const mark = this.h.i32[d + 1]!;
    this.scopeDepth++;
    let result: T | undefined;
    let ok = false;
    try {
      result = fn();
      ok = true;
    } finally {
      this.scopeDepth--;
      // Popping the scope and pushing the escaping value happen under one lock hold: in between,
      // no other thread may finish a cycle while the value is held by nothing.
      this.enter();
      try {
        vecSetLen(this.h, d, mark);
        if (ok && typeof result === 'number' && result !== 0 && this.isCollected(result)) {
          this.shadeRoot(result);
          this.pushScope(result);
        }
      } finally {
        this.leave();
      }
    }
    if (result instanceof Promise) {
      throw new GcUsageError('scope functions must be synchronous (objects cannot be held across await)');
    }
    return result as T;
  }

  /** Whether p is a live collected object (for the scope's return value: anything else is ignored). */
  isCollected(p: number): boolean {
    try {
      this.objectSpan(p, 'isCollected');
      return true;
    } catch {
      return false;
    }
  }

  /** Objects the base scope holds (outside any scope) — emptied by a top-level heap.gc(). */
  clearBaseScope(): void {
    if (this.scopeDepth === 0) vecSetLen(this.h, this.scopeVec(), 0);
  }

  // ── cycle controls ──────────────────────────────────────────────────────────────────────────
  gc(): void {
    this.enter();
    try {
      this.clearBaseScope();
      gcFull(this, true, false);
    } finally {
      this.leave();
    }
    runFinalizers(this);
  }

  /** Starts a cycle if none is running, else does `work` bytes of marking. Returns true when a cycle ended. */
  step(work: number): boolean {
    this.enter();
    try {
      if (this.h.i32[this.g + G_PHASE] === GC_OFF) {
        gcStart(this, false);
        return false;
      }
      return gcStep(this, work);
    } finally {
      this.leave();
    }
  }

  get phase(): 'off' | 'mark' {
    return this.h.i32[this.g + G_PHASE] === GC_OFF ? 'off' : 'mark';
  }

  setGCPercent(percent: number): number {
    if (!Number.isInteger(percent) || percent < -1)
      throw new GcUsageError(`GC percent must be an integer >= -1, got ${String(percent)}`);
    this.enter();
    try {
      const old = this.h.i32[this.g + G_GC_PERCENT]!;
      this.h.i32[this.g + G_GC_PERCENT] = percent;
      commitNow(this);
      return old;
    } finally {
      this.leave();
    }
  }

  setMemoryLimit(bytes: number): number {
    if (typeof bytes !== 'number' || Number.isNaN(bytes) || bytes < 0) {
      throw new GcUsageError(
        `memory limit must be a non-negative number of bytes (Infinity = none), got ${String(bytes)}`,
      );
    }
    this.enter();
    try {
      const f64 = this.h.f64;
      const old = f64[this.gf + GF_MEMORY_LIMIT]!;
      f64[this.gf + GF_MEMORY_LIMIT] = bytes;
      commitNow(this);
      return old;
    } finally {
      this.leave();
    }
  }

  setFinalizer(obj: number, fn: ((obj: number) => void) | null): void {
    if (fn !== null && typeof fn !== 'function')
      throw new GcUsageError('a finalizer is a function (or null to remove it)');
    this.enter();
    try {
      this.objectSpan(obj, 'setFinalizer');
      setFinalizer(this, obj, fn);
    } finally {
      this.leave();
    }
  }

  setTrace(option: GcTraceOption): void {
    if (option === true) this.trace = (line) => console.error(line);
    else if (option === false) this.trace = null;
    else if (typeof option === 'function') this.trace = option;
    else throw new GcUsageError('gctrace is true, false or a function (line, cycle) => void');
  }

  /** Reserves a mark worker slot and lets `launch` start the Worker that will run markWorkerMain. */
  startMarkWorker(heap: HeapHandle, launch: (handle: MarkWorkerHandle) => unknown): MarkWorker {
    if (!this.h.shared)
      throw new GcUsageError('a background mark worker needs a shared heap: new Heap({ shared: true })');
    if (typeof launch !== 'function')
      throw new GcUsageError('startMarkWorker takes a function that starts a Worker with the handle');
    this.enter();
    let slot: number;
    try {
      slot = reserveSlot(this);
    } finally {
      this.leave();
    }
    const handle: MarkWorkerHandle = { kind: 'gomem-mark-worker', heap, slot };
    const worker = new MarkWorker(this, handle);
    try {
      launch(handle);
    } catch (e) {
      void worker.stop();
      throw e;
    }
    return worker;
  }

  get heapGoal(): number {
    return this.h.f64[this.gf + GF_HEAP_GOAL]!;
  }

  /** Unix ms when the collector started on this heap. */
  get startMs(): number {
    return this.h.f64[this.gf + GF_START]!;
  }

  /** Attached Ps with a scope stack (for root scanning). */
  scopeStacks(): number[] {
    const h = this.h;
    const out: number[] = [];
    for (let p = 0; p < h.maxP; p++) out.push(h.pWord + p * MCACHE_WORDS + P_SCOPE);
    return out;
  }
}

/**
 * The span class of a small object of type t, worked out once. A scan object whose size class fills
 * its span exactly (8 KiB in 1 page, 16 KiB in 2, 32 KiB in 4) leaves no room for the span's per-slot
 * type table, so it gets a span of its own like a large object: LARGE_PATH (-2).
 */
function spanClassOf(t: TypeInfo): number {
  const n = t.size;
  const cls = n <= 1016 ? sizeToClass8[(n + 7) >>> 3]! : sizeToClass128[(n - 897) >>> 7]!;
  if (!t.noscan && classToSize[cls]! + 2 > classToPages[cls]! * PAGE_SIZE) return (t.spanClass = LARGE_PATH);
  return (t.spanClass = (cls << 1) | (t.noscan ? 1 : 0));
}
const LARGE_PATH = -2;
const VC_SIZE = 4096;
const VC_MASK = VC_SIZE - 1;

class Root implements RootHandle {
  private released = false;
  constructor(
    private readonly c: Collector,
    private readonly slot: number,
  ) {}

  private word(): number {
    if (this.released) throw new GcUsageError('this root handle was released');
    return vecData(this.c.h, this.c.g + G_ROOTS) + 2 * this.slot;
  }

  get(): number {
    this.c.enter();
    try {
      return this.c.h.u32[this.word()]!;
    } finally {
      this.c.leave();
    }
  }

  set(obj: number): void {
    this.c.enter();
    try {
      const w = this.word();
      if (obj !== 0) this.c.objectSpan(obj, 'root.set');
      this.c.shadeRoot(obj);
      this.c.h.u32[w] = obj;
    } finally {
      this.c.leave();
    }
  }

  release(): void {
    this.c.enter();
    try {
      const w = this.word();
      const h = this.c.h;
      h.u32[w] = 0;
      h.i32[w + 1] = h.i32[this.c.g + G_ROOT_FREE]!;
      h.i32[this.c.g + G_ROOT_FREE] = this.slot + 1;
      this.released = true;
    } finally {
      this.c.leave();
    }
  }
}

import { commitNow } from './cycle.js';
export { GC_REGION_WORDS, HEAP_MINIMUM, allocManual };
