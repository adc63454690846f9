// Heap: the public face of the allocator — malloc, calloc, realloc, free, usableSize, readMemStats.
//
// The path of an allocation, as in Go's mallocgc:
//   0 bytes           → the address of one shared zero-size object (ZEROBASE), never freed
//   1..15 bytes       → the tiny allocator (mcache.ts), sub-allocating 16-byte blocks
//   16..32768 bytes   → the size class's span in this P's mcache: a free slot found with one
//                       count-trailing-zeros on the allocCache window (Go's nextFreeFast, inlined below);
//                       when that misses, mcache.nextFree → mcentral.cacheSpan → mheap.allocSpan
//   > 32768 bytes     → a span of whole pages of its own, straight from mheap
// free(p) finds the span from the page (the spans table), the slot with a multiply instead of a
// division (Go's divMagic), checks that the slot holds a live object, and clears its mark bit.
//
// Every check happens before anything is written, so an error leaves the heap as it was.
//
// Heap profiling (src/profile/memprofile.ts) costs malloc's fast path one subtract-and-compare on
// `nextSample`, and free's one test of the span's S_PROFILED word; on the few spans that hold a sampled
// object, a lookup in the profile's table of sampled pointers; everything else is on slow paths.

import { HeapConfigError, InvalidPointerError, OutOfMemoryError, checkSize } from './errors.js';
import {
  CHUNK_BYTES,
  CHUNK_PAGES,
  HEADER_WORDS,
  H_ATTACHED_P,
  H_MAGIC,
  H_MAPPED_PAGES,
  H_MAX_BYTES_HI,
  H_MAX_BYTES_LO,
  H_MAX_P,
  H_MAX_PAGES,
  H_META_PAGES,
  H_NUM_LEVELS,
  H_RELEASED_PAGES,
  H_SWEEPGEN,
  H_VERSION,
  LAYOUT_VERSION,
  LIST_FULL,
  MAGIC,
  MAX_HEAP_BYTES,
  PAGE_SIZE,
  PS_LARGE_ALLOC,
  PS_LARGE_ALLOC_COUNT,
  PS_LARGE_FREE,
  PS_LARGE_FREE_COUNT,
  PS_SMALL_FREE,
  P_ALLOC,
  P_ATTACHED,
  P_EPOCH,
  P_STATUS,
  SPAN_IN_USE,
  S_ALLOC_BITS,
  S_ALLOC_CACHE,
  S_ALLOC_COUNT,
  S_BASE,
  S_DIVMUL,
  S_DIV_EXACT,
  S_ELEMSIZE,
  S_FREED,
  S_FREEINDEX,
  S_LIST,
  S_MARK_BITS,
  S_NEEDZERO,
  S_NELEMS,
  S_NPAGES,
  S_PROFILED,
  S_SPANCLASS,
  S_STATE,
  S_TINY_MASKS,
  ZEROBASE_PTR,
  MCACHE_WORDS,
  P_FREE,
  H_P_LOCK,
  type Layout,
  computeLayout,
  S_OWNER,
  S_REMOTE_FREED,
} from './layout.js';
import { lock, threadCanBlock, unlock } from './lock.js';
import { drainInbox, freeSlot, releaseOwned, relist, relistThreshold } from './mcentral.js';
import { isTinyBlock, nextFree, releaseAll, releaseTinyBlock, tinyAlloc, tinyFree, tinyUsableSize } from './mcache.js';
import { allocSpan, freeSpan } from './mheap.js';
import { type Backing, backingBuffer, createBacking, growBacking } from './memory.js';
import { slotIsLive } from './mspan.js';
import { pageAllocInit, pageGrow, writeBits } from './pagealloc.js';
import {
  DIV_EXACT_SHIFT,
  MAX_SMALL_SIZE,
  TINY_SIZE,
  TINY_SPAN_CLASS,
  classToSize,
  sizeToClass8,
  sizeToClass128,
} from './sizeclasses.js';
import { HeapState } from './state.js';
import { type MemStats, readMemStats } from './stats.js';
import { Collector, type GcTraceOption, type RootHandle } from './gc/collector.js';
import type { GcType, TypeSpec } from './gc/types.js';
import type { MarkWorker, MarkWorkerHandle } from './gc/bgworker.js';
import {
  DEFAULT_MEM_PROFILE_RATE,
  MemProfile,
  type MemProfileRecord,
  checkMemProfileRate,
} from '../profile/memprofile.js';
import { encodeHeapProfile } from '../profile/pprof.js';
import { type RetainerPath, findRetainers } from '../profile/retainers.js';

export interface HeapOptions {
  /** Bytes the buffer starts with (rounded up to whole 4 MiB chunks, metadata included). Default 4 MiB. */
  initialBytes?: number;
  /** The most the buffer may grow to, at most 4 GiB. Default 1 GiB (for a wasm memory: required). */
  maxBytes?: number;
  /** Make the heap shareable with Workers (`handle()` / `Heap.attach`). Default false. */
  shared?: boolean;
  /** Most Ps (threads) that may be attached at once. Default 64. */
  maxP?: number;
  /**
   * Put the heap in this WebAssembly.Memory (the heap owns all of it, from byte 0). A shared memory
   * makes a shared heap. Its maximum must be at least maxBytes.
   */
  memory?: WebAssembly.Memory;
  /**
   * Go's runtime.MemProfileRate: one heap-profile sample per this many bytes allocated, on average.
   * Default 512 KiB; 1 samples every allocation; 0 turns profiling off. Per Heap object (per thread).
   */
  memProfileRate?: number;
}

/**
 * What a Worker needs to attach to a shared heap: structured-cloneable, so `postMessage` carries it.
 * The buffer (or wasm memory) is the heap; everything else is read from the buffer's header.
 */
export interface HeapHandle {
  readonly kind: 'gomem-heap';
  readonly buffer?: SharedArrayBuffer;
  readonly memory?: WebAssembly.Memory;
}

const DEFAULT_INITIAL_BYTES = 4 << 20;
const DEFAULT_MAX_BYTES = 1 << 30;
const DEFAULT_MAX_P = 64;
const TWO_TO_MINUS_32 = 2 ** -32;

function optionInt(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new HeapConfigError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Everything the constructor works out before it can build the views. */
interface Plan {
  backing: Backing;
  layout: Layout;
  shared: boolean;
  maxBytes: number;
  /** Pages to map for a new heap; 0 when attaching to an existing one. */
  newMappedPages: number;
}

/** Marks a constructor call as an attach (only Heap.attach makes one). */
class AttachRequest {
  constructor(
    readonly handle: HeapHandle,
    readonly memProfileRate: number | undefined,
  ) {}
}

function planNewHeap(options: HeapOptions): Plan {
  if (options === null || typeof options !== 'object') throw new HeapConfigError('options must be an object');
  const memory = options.memory;
  if (memory !== undefined && !(memory instanceof WebAssembly.Memory)) {
    throw new HeapConfigError('memory must be a WebAssembly.Memory');
  }
  if (memory !== undefined && options.maxBytes === undefined) {
    throw new HeapConfigError("a heap in a WebAssembly.Memory needs maxBytes (at most the memory's maximum)");
  }
  const maxBytesAsked = optionInt(options.maxBytes, 'maxBytes', DEFAULT_MAX_BYTES, CHUNK_BYTES, MAX_HEAP_BYTES);
  const maxBytes = Math.min(MAX_HEAP_BYTES, Math.ceil(maxBytesAsked / CHUNK_BYTES) * CHUNK_BYTES);
  const initialBytes = optionInt(
    options.initialBytes,
    'initialBytes',
    Math.min(DEFAULT_INITIAL_BYTES, maxBytes),
    0,
    maxBytes,
  );
  const maxP = optionInt(options.maxP, 'maxP', DEFAULT_MAX_P, 1, 1024);
  const layout = computeLayout(maxBytes / PAGE_SIZE, maxP);
  const mappedPages = Math.max(
    CHUNK_PAGES,
    Math.ceil(Math.max(initialBytes, layout.metaPages * PAGE_SIZE + 1) / CHUNK_BYTES) * CHUNK_PAGES,
  );
  if (mappedPages > layout.maxPages) {
    throw new HeapConfigError(
      `maxBytes ${maxBytes} leaves no room for ${initialBytes} initial bytes after ${layout.metaPages * PAGE_SIZE} bytes of metadata`,
    );
  }
  if (memory !== undefined) {
    const backing: Backing = { kind: 'wasm', memory };
    const buf = backingBuffer(backing);
    if (buf.byteLength > mappedPages * PAGE_SIZE && buf.byteLength % CHUNK_BYTES !== 0) {
      throw new HeapConfigError("the memory's current size must be a multiple of 4 MiB");
    }
    if (!growBacking(backing, mappedPages * PAGE_SIZE)) {
      throw new HeapConfigError(`cannot grow the memory to ${mappedPages * PAGE_SIZE} bytes`);
    }
    const mapped = Math.max(mappedPages, backingBuffer(backing).byteLength / PAGE_SIZE);
    return { backing, layout, shared: buf instanceof SharedArrayBuffer, maxBytes, newMappedPages: mapped };
  }
  const shared = options.shared === true;
  return {
    backing: createBacking(mappedPages * PAGE_SIZE, maxBytes, shared),
    layout,
    shared,
    maxBytes,
    newMappedPages: mappedPages,
  };
}

function planAttach(handle: HeapHandle): Plan {
  if (handle === null || typeof handle !== 'object' || handle.kind !== 'gomem-heap') {
    throw new HeapConfigError('not a heap handle (make one with heap.handle())');
  }
  let backing: Backing;
  if (handle.memory instanceof WebAssembly.Memory) backing = { kind: 'wasm', memory: handle.memory };
  else if (handle.buffer instanceof SharedArrayBuffer) backing = { kind: 'buffer', buffer: handle.buffer };
  else throw new HeapConfigError('a heap handle carries a SharedArrayBuffer or a shared WebAssembly.Memory');
  const buf = backingBuffer(backing);
  if (!(buf instanceof SharedArrayBuffer)) throw new HeapConfigError('only a shared heap can be attached to');
  const header = new Int32Array(buf, 0, HEADER_WORDS);
  if (header[H_MAGIC] !== MAGIC || header[H_VERSION] !== LAYOUT_VERSION) {
    throw new HeapConfigError("the handle's buffer does not hold a gomem heap of this version");
  }
  return {
    backing,
    layout: computeLayout(header[H_MAX_PAGES]!, header[H_MAX_P]!),
    shared: true,
    maxBytes: (header[H_MAX_BYTES_LO]! >>> 0) + 2 ** 32 * header[H_MAX_BYTES_HI]!,
    newMappedPages: 0,
  };
}

export class Heap extends HeapState {
  /** The slot findObject found (a field rather than a returned object: no garbage per free). */
  private foundIdx = 0;
  /** The most bytes the buffer may grow to. */
  readonly maxBytes: number;
  /** Bytes to allocate before the next heap-profile sample (Go's mcache.nextSample); Infinity when off. */
  nextSample: number;
  /** This thread's heap-profile buckets and sampled objects; null when memProfileRate is 0. */
  readonly memProfile: MemProfile | null;

  constructor(options: HeapOptions = {}) {
    const attaching = options instanceof AttachRequest;
    const rate = checkMemProfileRate(options.memProfileRate ?? DEFAULT_MEM_PROFILE_RATE);
    const plan = attaching ? planAttach(options.handle) : planNewHeap(options);
    super(plan.backing, plan.layout, plan.shared);
    this.maxBytes = plan.maxBytes;
    this.memProfile = rate === 0 ? null : new MemProfile(rate);
    this.nextSample = this.memProfile === null ? Infinity : this.memProfile.nextSample();
    this.canBlock = plan.shared && threadCanBlock(this.i32);
    if (plan.newMappedPages !== 0) this.initHeader(plan);
    this.attachP();
  }

  private initHeader(plan: Plan): void {
    const { layout, newMappedPages } = plan;
    const i32 = this.i32;
    i32.fill(0, 0, (layout.metaPages * PAGE_SIZE) >>> 2); // a reused wasm memory may not be zero
    i32[H_VERSION] = LAYOUT_VERSION;
    i32[H_MAX_PAGES] = layout.maxPages;
    i32[H_META_PAGES] = layout.metaPages;
    i32[H_MAX_P] = layout.maxP;
    i32[H_SWEEPGEN] = 2;
    i32[H_NUM_LEVELS] = layout.levelWord.length;
    i32[H_MAX_BYTES_LO] = plan.maxBytes % 2 ** 32;
    i32[H_MAX_BYTES_HI] = Math.floor(plan.maxBytes / 2 ** 32);
    pageAllocInit(this);
    i32[H_MAPPED_PAGES] = newMappedPages;
    i32[H_RELEASED_PAGES] = newMappedPages - layout.metaPages;
    pageGrow(this, layout.metaPages, newMappedPages);
    if (plan.backing.kind === 'wasm') {
      // Memory a previous user touched is not known to be zero: count it as used once, not released.
      writeBits(i32, this.scavWord, layout.metaPages, newMappedPages - layout.metaPages, false);
    }
    Atomics.store(i32, H_MAGIC, MAGIC); // last: an attach only trusts a finished header
  }

  /** Takes a free P for this thread. */
  private attachP(): void {
    const i32 = this.i32;
    let attached = false;
    if (this.shared) lock(i32, H_P_LOCK, this.canBlock);
    try {
      for (let pid = 0; pid < this.maxP; pid++) {
        const mc = this.pWord + pid * MCACHE_WORDS;
        if (i32[mc + P_STATUS] !== P_FREE) continue;
        this.setP(pid);
        i32[mc + P_STATUS] = P_ATTACHED;
        i32[mc + P_EPOCH]++;
        i32[H_ATTACHED_P]++;
        attached = true;
        break;
      }
    } finally {
      if (this.shared) unlock(i32, H_P_LOCK);
    }
    if (attached) {
      // Spans claimed for this P's inbox while its last thread was going away: owned by no one now.
      drainInbox(this);
      return;
    }
    throw new HeapConfigError(`all ${this.maxP} Ps of this heap are attached (raise maxP, or detach/releaseP one)`);
  }

  /** A structured-cloneable handle: post it to a Worker, which calls Heap.attach(handle). */
  handle(): HeapHandle {
    if (!this.shared) throw new HeapConfigError('only a shared heap has a handle: new Heap({ shared: true })');
    return this.backing.kind === 'wasm'
      ? { kind: 'gomem-heap', memory: this.backing.memory }
      : { kind: 'gomem-heap', buffer: this.backing.buffer as SharedArrayBuffer };
  }

  /** The same heap, from another thread: a P of its own, with its own mcache. */
  static attach(handle: HeapHandle, options: { memProfileRate?: number } = {}): Heap {
    const request = new AttachRequest(handle, options.memProfileRate);
    return new Heap(request as unknown as HeapOptions);
  }

  /** Which P this thread is (0..maxP-1), or -1 once detached. */
  get p(): number {
    return this.pid;
  }

  /**
   * Gives this thread's cached spans and tiny block back and frees its P. The object cannot be used
   * afterwards (every call throws HeapConfigError); the heap itself lives on for other threads.
   */
  detach(): void {
    this.checkAttached();
    this.releasePLocked(this.pid);
    this.detachViews();
  }

  /**
   * Gives this thread's cached spans, spare spans and tiny block back to the mcentrals, as detach does,
   * but keeps the P (Go flushes every mcache at each collection; here nothing else would). On a shared
   * heap it also gives up the spans this P owns, so the memory other threads freed in them is theirs
   * to reuse: call it when a thread goes idle holding memory others need. Its next allocations refill
   * as after attach; its frees of objects in spans it gave up cost two Atomics calls each.
   */
  flushCache(): void {
    this.checkAttached();
    this.flushP();
  }

  /** flushCache's work, for the P this object acts as (detach and releaseP give the P up after it). */
  private flushP(): void {
    this.refreshViews();
    releaseAll(this);
    if (this.shared) releaseOwned(this);
  }

  /**
   * From any thread: recovers the P of a thread that ended without detaching (a terminated Worker),
   * giving its cached spans back to the mcentrals. Releasing a P whose thread still runs corrupts the
   * heap; releasing your own P is detach().
   */
  releaseP(id: number): void {
    this.checkAttached();
    if (!Number.isInteger(id) || id < 0 || id >= this.maxP)
      throw new HeapConfigError(`no P ${String(id)} (0..${this.maxP - 1})`);
    if (id === this.pid) throw new HeapConfigError('releaseP of your own P: use detach()');
    if (this.i32[this.pWord + id * MCACHE_WORDS + P_STATUS] !== P_ATTACHED) {
      throw new HeapConfigError(`P ${id} is not attached`);
    }
    const own = this.pid;
    this.setP(id); // act as the dead P for its own mcache; counters it credits stay its own
    try {
      this.releasePLocked(id);
    } finally {
      this.setP(own);
    }
  }

  private releasePLocked(id: number): void {
    this.flushP();
    const i32 = this.i32;
    if (this.shared) lock(i32, H_P_LOCK, this.canBlock);
    i32[this.pWord + id * MCACHE_WORDS + P_STATUS] = P_FREE;
    i32[H_ATTACHED_P]--;
    if (this.shared) unlock(i32, H_P_LOCK);
  }

  private checkAttached(): void {
    if (this.pid < 0) throw new HeapConfigError('this heap object was detached');
  }

  /** The buffer the heap lives in now. It may grow, or (for a WebAssembly.Memory) be replaced. */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return backingBuffer(this.backing);
  }

  /** Allocates n bytes; returns a pointer (a byte offset into `buffer`), aligned as Go aligns its class. */
  malloc(n: number): number {
    if (n >= TINY_SIZE && n <= MAX_SMALL_SIZE && (n | 0) === n) {
      const cls = n <= 1016 ? sizeToClass8[(n + 7) >>> 3]! : sizeToClass128[(n - 897) >>> 7]!;
      const spc = (cls << 1) | 1;
      const i32 = this.i32;
      const s = i32[this.mc + P_ALLOC + spc]!;
      // nextFreeFast: the lowest free slot in the cached window, if the window has one before its end.
      const cache = i32[s + S_ALLOC_CACHE]!; // read before the s !== 0 test: a harmless header word if 0
      if (s !== 0 && cache !== 0) {
        const t = 31 - Math.clz32(cache & -cache);
        const idx = i32[s + S_FREEINDEX]! + t;
        if (((idx + 1) & 31) !== 0) {
          i32[s + S_ALLOC_CACHE] = cache >>> (t + 1);
          i32[s + S_FREEINDEX] = idx + 1;
          const size = i32[s + S_ELEMSIZE]!;
          const p = this.u32[s + S_BASE]! + idx * size;
          if ((this.nextSample -= size) < 0) return this.profileAlloc(p, size);
          return p;
        }
      }
      return this.allocSmall(spc, n);
    }
    return this.mallocSlow(n);
  }

  private mallocSlow(n: number): number {
    this.checkAttached();
    checkSize(n, 'malloc');
    if (n === 0) return ZEROBASE_PTR;
    if (n < TINY_SIZE) {
      const p = tinyAlloc(this, n);
      if (p === 0) throw this.outOfMemory(n);
      // Only a new 16-byte block is accounted (and sampled), as in Go; it is the one 16-aligned result.
      if ((p & (TINY_SIZE - 1)) === 0 && (this.nextSample -= TINY_SIZE) < 0) return this.profileAlloc(p, TINY_SIZE);
      return p;
    }
    if (n <= MAX_SMALL_SIZE) {
      const cls = n <= 1016 ? sizeToClass8[(n + 7) >>> 3]! : sizeToClass128[(n - 897) >>> 7]!;
      return this.allocSmall((cls << 1) | 1, n);
    }
    return this.allocLarge(n);
  }

  private allocSmall(spanclass: number, n: number): number {
    this.checkAttached();
    const p = nextFree(this, spanclass);
    if (p === 0) throw this.outOfMemory(n);
    const size = classToSize[spanclass >>> 1]!;
    if ((this.nextSample -= size) < 0) return this.profileAlloc(p, size);
    return p;
  }

  private allocLarge(n: number): number {
    const npages = Math.ceil(n / PAGE_SIZE);
    if (npages > this.maxPages) throw this.outOfMemory(n);
    const s = allocSpan(this, npages, 1); // span class 0, noscan
    if (s === 0) throw this.outOfMemory(n);
    const i32 = this.i32;
    i32[s + S_MARK_BITS] = 1; // the one object is live
    i32[s + S_ALLOC_COUNT] = 1;
    i32[s + S_FREEINDEX] = 1;
    const f64 = this.f64;
    f64[this.ps + PS_LARGE_ALLOC] += npages * PAGE_SIZE;
    f64[this.ps + PS_LARGE_ALLOC_COUNT]++;
    const p = this.u32[s + S_BASE]!;
    if ((this.nextSample -= npages * PAGE_SIZE) < 0) return this.profileAlloc(p, npages * PAGE_SIZE);
    return p;
  }

  /**
   * A sampled allocation: record its stack, mark its span, draw the next countdown. Public for the
   * collector's allocator, which samples the same way: `if ((heap.nextSample -= size) < 0) heap.profileAlloc(p, size)`.
   */
  profileAlloc(p: number, size: number): number {
    const profile = this.memProfile!;
    this.nextSample = profile.nextSample();
    const at = this.i32[this.spansWord + (p >>> 13)]! + S_PROFILED;
    if (this.shared) Atomics.add(this.i32, at, 1);
    else this.i32[at]++;
    profile.recordAlloc(p, size);
    return p;
  }

  /**
   * For the collector's sweeper: the object at p, in a span whose S_PROFILED word is non-zero, was
   * freed. Counts the free if p was sampled.
   */
  profileFree(p: number): void {
    if (this.memProfile?.recordFree(p) !== true) return;
    const s = this.i32[this.spansWord + (p >>> 13)]!;
    if (s !== 0) this.unprofile(s);
  }

  /** One sampled object of span s is gone: when none is left, its frees take the fast path again. */
  private unprofile(s: number): void {
    const i32 = this.i32;
    if (this.shared) {
      if (Atomics.sub(i32, s + S_PROFILED, 1) <= 0) Atomics.store(i32, s + S_PROFILED, 0);
    } else if (i32[s + S_PROFILED]! > 0) i32[s + S_PROFILED]--;
  }

  private outOfMemory(n: number): OutOfMemoryError {
    return new OutOfMemoryError(n, this.byteLength, this.maxBytes);
  }

  /** Allocates n zeroed bytes. */
  calloc(n: number): number {
    const p = this.malloc(n);
    if (p === ZEROBASE_PTR) return p;
    this.refreshViews();
    const s = this.i32[this.spansWord + (p >>> 13)]!;
    // Memory never handed out since it was mapped is zero already; tiny blocks are zeroed when made,
    // and a tiny sub-object's bytes were never used before.
    if (n >= TINY_SIZE && this.i32[s + S_NEEDZERO] !== 0) {
      this.u8.fill(0, p, p + (n <= MAX_SMALL_SIZE ? this.i32[s + S_ELEMSIZE]! : n));
    }
    return p;
  }

  /** Frees the object at p. free(0) and freeing a zero-size allocation do nothing. */
  free(p: number): void {
    if (p >>> 0 === p && p >>> 13 < this.maxPages) {
      const i32 = this.i32;
      const s = i32[this.spansWord + (p >>> 13)]!;
      const spc = i32[s + S_SPANCLASS]!; // read before the s !== 0 test: a harmless header word if 0
      if (s !== 0 && spc >= TINY_SPAN_CLASS && (i32[s + S_PROFILED] === 0 || this.notSampled(p, spc))) {
        const off = p - this.u32[s + S_BASE]!;
        const idx = (off * i32[s + S_DIV_EXACT]!) >>> DIV_EXACT_SHIFT; // right for object starts; others fail below
        const bit = 1 << (idx & 31);
        const at = s + S_ALLOC_BITS + 2 * (idx >>> 5);
        // Live means: marked (bits past the last slot never are), and handed out. In the tiny class,
        // only plain 16-byte objects (no tiny masks) take this path.
        if (
          idx * i32[s + S_ELEMSIZE]! === off &&
          (i32[at + 1]! & bit) !== 0 &&
          (idx < i32[s + S_FREEINDEX]! || (i32[at]! & bit) !== 0) &&
          (spc !== TINY_SPAN_CLASS || this.u16[i32[s + S_TINY_MASKS]! + 2 * idx] === 0)
        ) {
          // mcentral.freeSlot, inlined for a single-thread heap and for the owner of a span no other
          // thread has freed into (its steps are the same plain ones). The rest — another thread's span,
          // or remote frees to check first — goes out of line: inlined here it would make this function
          // too big for V8 to inline into its callers.
          if (this.shared && (i32[s + S_OWNER] !== this.pid || i32[s + S_REMOTE_FREED] !== 0))
            return this.freeShared(p, s, idx);
          i32[at + 1] &= ~bit;
          this.f64[this.ps + PS_SMALL_FREE + (spc >>> 1)]++;
          if (i32[s + S_LIST] === LIST_FULL && ++i32[s + S_FREED] >= relistThreshold(i32[s + S_NELEMS]!))
            relist(this, s);
          return;
        }
      }
    }
    this.freeSlow(p);
  }

  /** free's fast path on a shared heap (mcentral.freeSlot): plain steps for a span this P owns, a remote free otherwise. */
  private freeShared(p: number, s: number, idx: number): void {
    if (!freeSlot(this, s, idx)) throw new InvalidPointerError(p, 'already freed');
  }

  /**
   * On a span that holds sampled objects, whether p is not one of them, so its free may take the fast
   * path. A tiny block is its 16-byte block's sample, so the tiny class always takes the slow path.
   */
  private notSampled(p: number, spc: number): boolean {
    return spc !== TINY_SPAN_CLASS && (this.memProfile === null || !this.memProfile.isSampled(p));
  }

  private freeSlow(p: number): void {
    this.checkAttached();
    if (p === 0 || p === ZEROBASE_PTR) return;
    const s = this.findObject(p, 'free');
    const idx = this.foundIdx;
    const i32 = this.i32;
    const spc = i32[s + S_SPANCLASS]!;
    if (i32[s + S_PROFILED] !== 0) {
      // Of a tiny block, the block is the sampled object: it is gone once its last sub-object is.
      const tinyBlock = spc === TINY_SPAN_CLASS && isTinyBlock(this, s, idx);
      this.freeObject(p, s, idx, spc);
      const sampled = !tinyBlock ? p : slotIsLive(this, s, idx) ? -1 : p & ~(TINY_SIZE - 1);
      if (sampled >= 0 && this.memProfile?.recordFree(sampled) === true && spc > 1) this.unprofile(s);
      return;
    }
    this.freeObject(p, s, idx, spc);
  }

  private freeObject(p: number, s: number, idx: number, spc: number): void {
    const i32 = this.i32;
    if (spc <= 1) {
      // A large object: its pages go back to the heap at once.
      if (this.shared ? (Atomics.and(i32, s + S_MARK_BITS, ~1) & 1) === 0 : (i32[s + S_MARK_BITS]! & 1) === 0) {
        throw new InvalidPointerError(p, 'already freed');
      }
      i32[s + S_MARK_BITS] = 0;
      const bytes = i32[s + S_NPAGES]! * PAGE_SIZE;
      this.f64[this.ps + PS_LARGE_FREE] += bytes;
      this.f64[this.ps + PS_LARGE_FREE_COUNT]++;
      freeSpan(this, s);
      return;
    }
    if (spc === TINY_SPAN_CLASS && isTinyBlock(this, s, idx)) {
      const reason = tinyFree(this, s, idx, p);
      if (reason !== null) throw new InvalidPointerError(p, reason);
      return;
    }
    if (!freeSlot(this, s, idx)) throw new InvalidPointerError(p, 'already freed');
  }

  /**
   * The span record of the live object at p (its slot in foundIdx: no object is made per call), or
   * an InvalidPointerError. For a tiny block,
   * p may be any sub-object start; the block's masks are checked by the caller.
   */
  private findObject(p: unknown, op: string): number {
    if (typeof p !== 'number' || p >>> 0 !== p) throw new InvalidPointerError(p, `${op}: not a pointer`);
    this.refreshViews(); // another thread may have grown the heap
    if (p >= this.byteLength) throw new InvalidPointerError(p, `${op}: outside the heap`);
    const i32 = this.i32;
    const s = i32[this.spansWord + (p >>> 13)]!;
    if (s === 0 || i32[s + S_STATE] !== SPAN_IN_USE)
      throw new InvalidPointerError(p, `${op}: not in an allocated span`);
    const off = p - this.u32[s + S_BASE]!;
    const spc = i32[s + S_SPANCLASS]!;
    if (spc < 0) throw new InvalidPointerError(p, `${op}: a collected object (heap.new); the collector frees it`);
    if (spc <= 1) {
      if (off !== 0) throw new InvalidPointerError(p, `${op}: interior pointer into a large object`);
      if ((i32[s + S_MARK_BITS]! & 1) === 0) throw new InvalidPointerError(p, `${op}: already freed`);
      this.foundIdx = 0;
      return s;
    }
    const idx = Math.floor(off * this.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
    if (idx >= i32[s + S_NELEMS]!) throw new InvalidPointerError(p, `${op}: past the last object of its span`);
    if (!slotIsLive(this, s, idx)) throw new InvalidPointerError(p, `${op}: not a live object (already freed?)`);
    const start = idx * i32[s + S_ELEMSIZE]!;
    if (start !== off) {
      const tiny = spc === TINY_SPAN_CLASS && isTinyBlock(this, s, idx);
      if (!tiny) throw new InvalidPointerError(p, `${op}: interior pointer`);
    }
    this.foundIdx = idx;
    return s;
  }

  /** Bytes usable at p: its size class's size, whole pages for a large object, 0 for malloc(0). */
  usableSize(p: number): number {
    this.checkAttached();
    if (p === ZEROBASE_PTR) return 0;
    const s = this.findObject(p, 'usableSize');
    const idx = this.foundIdx;
    const i32 = this.i32;
    if (i32[s + S_SPANCLASS] === TINY_SPAN_CLASS && isTinyBlock(this, s, idx)) {
      const n = tinyUsableSize(this, s, idx, p);
      if (n < 0) throw new InvalidPointerError(p, 'usableSize: not a live object');
      return n;
    }
    return i32[s + S_ELEMSIZE]!;
  }

  /**
   * Resizes the object at p to n bytes. Keeps p when n still fits; otherwise allocates, copies and
   * frees. realloc(0, n) is malloc(n); realloc(p, 0) frees p and returns malloc(0)'s pointer. On error
   * nothing changes and p stays valid.
   */
  realloc(p: number, n: number): number {
    checkSize(n, 'realloc');
    if (p === 0) return this.malloc(n);
    const usable = this.usableSize(p); // validates p
    if (n === 0) {
      this.free(p);
      return ZEROBASE_PTR;
    }
    if (n <= usable) return p;
    const q = this.malloc(n);
    this.u8.copyWithin(q, p, p + usable);
    this.free(p);
    return q;
  }

  /**
   * This Heap object's heap profile as a gzipped pprof file, like Go's pprof.WriteHeapProfile: open it
   * with `go tool pprof`. It holds the allocations this thread made (no samples when memProfileRate is 0).
   */
  writeHeapProfile(): Uint8Array {
    return encodeHeapProfile(this.memProfileRecords(), { rate: this.memProfile?.rate ?? 0 });
  }

  /**
   * What keeps the collected object obj alive: a shortest chain of pointer fields from a GC root (root
   * handle, scope, finalizer queue) to it, with types and field offsets; null if nothing reaches it.
   */
  retainers(obj: number): RetainerPath | null {
    return findRetainers(this.collector, obj);
  }

  /** Go's runtime.MemProfile: every sampled allocation site with its unscaled counts. */
  memProfileRecords(): MemProfileRecord[] {
    this.checkAttached();
    const profile = this.memProfile;
    if (profile === null) return [];
    this.refreshViews();
    // Sampled objects that died without free() telling the profiler: freed by another thread, or a tiny
    // block released when its last sub-object was already free.
    for (const p of profile.sampledPointers()) {
      if (this.sampledObjectIsLive(p)) continue;
      profile.recordFree(p);
      const s = this.i32[this.spansWord + (p >>> 13)]!;
      if (s !== 0 && this.i32[s + S_STATE] === SPAN_IN_USE) this.unprofile(s);
    }
    return profile.records();
  }

  private sampledObjectIsLive(p: number): boolean {
    if (p >= this.byteLength) return false;
    const i32 = this.i32;
    const s = i32[this.spansWord + (p >>> 13)]!;
    if (s === 0 || i32[s + S_STATE] !== SPAN_IN_USE || i32[s + S_PROFILED] === 0) return false;
    const off = p - this.u32[s + S_BASE]!;
    const spc = i32[s + S_SPANCLASS]!;
    const idx = Math.floor(off * this.u32[s + S_DIVMUL]! * TWO_TO_MINUS_32);
    if (spc < 0) {
      // A collected object lives until a sweep frees it (which reports the free itself): handed out
      // means alloc bit set or below freeindex. Its mark bits only mean something mid-cycle.
      const bit = 1 << (idx & 31);
      return (i32[s + S_ALLOC_BITS + 2 * (idx >>> 5)]! & bit) !== 0 || idx < i32[s + S_FREEINDEX]!;
    }
    if (spc <= 1) return off === 0 && (i32[s + S_MARK_BITS]! & 1) !== 0;
    return slotIsLive(this, s, idx);
  }

  // ── the collector (src/runtime/gc, docs/gc.md): typed objects, roots, scopes, heap.gc() ──────────
  // The hot calls below skip the getter's attach check: every Collector call checks it (enter()).
  private collectorCache: Collector | null = null;
  /** This thread's handle on the heap's collector, made on first use (malloc-only heaps never pay). */
  get collector(): Collector {
    this.checkAttached();
    return (this.collectorCache ??= new Collector(this));
  }
  /** Declares a struct layout for collected objects: `pointers` are byte offsets of 32-bit pointer fields. */
  defineType(spec: TypeSpec): GcType {
    return this.collector.defineType(spec);
  }
  /** The predefined pointer-free byte type (newArray(heap.byteType, n) is a []byte). */
  get byteType(): GcType {
    return this.collector.byteType;
  }
  /** The type of an n-element array of `elem`. */
  arrayType(elem: GcType, n: number): GcType {
    return this.collector.arrayType(elem, n);
  }
  /** A new zeroed collected object, held by the innermost heap.scope until it returns. */
  new(type: GcType): number {
    return (this.collectorCache ?? this.collector).alloc(type);
  }
  /** A new zeroed array of n elements of `type`. */
  newArray(type: GcType, n: number): number {
    return this.collector.allocArray(type, n);
  }
  /** obj's pointer field at `offset` = target (0 or a live object), with the hybrid write barrier. */
  storePointer(obj: number, offset: number, target: number): void {
    (this.collectorCache ?? this.collector).storePointer(obj, offset, target);
  }
  loadPointer(obj: number, offset: number): number {
    return (this.collectorCache ?? this.collector).loadPointer(obj, offset);
  }
  /** An explicit root holding obj until released. */
  root(obj: number): RootHandle {
    return this.collector.root(obj);
  }
  /** Runs fn; objects allocated inside stay alive until it returns, and its returned object survives. */
  scope<T>(fn: () => T): T {
    return (this.collectorCache ?? this.collector).scope(fn);
  }
  /** runtime.GC(): a full blocking cycle and sweep; outside any scope it also ends the base scope. */
  gc(): void {
    this.collector.gc();
  }
  /** Starts a cycle if none runs, else does `work` bytes of marking; true when a cycle just ended. */
  gcStep(work = 64 << 10): boolean {
    return this.collector.step(work);
  }
  /** debug.SetGCPercent: GOGC (default 100, -1 = off); returns the previous value. */
  setGCPercent(percent: number): number {
    return this.collector.setGCPercent(percent);
  }
  /** debug.SetMemoryLimit: the soft limit in bytes (Infinity = none); returns the previous value. */
  setMemoryLimit(bytes: number): number {
    return this.collector.setMemoryLimit(bytes);
  }
  /** runtime.SetFinalizer: fn(obj) runs once obj is found unreachable (null removes it). */
  setFinalizer(obj: number, fn: ((obj: number) => void) | null): void {
    this.collector.setFinalizer(obj, fn);
  }
  /** GODEBUG=gctrace=1: true prints Go's line per cycle to stderr (console.error), a function gets it. */
  setGCTrace(option: GcTraceOption): void {
    this.collector.setTrace(option);
  }
  /**
   * Go's dedicated background mark worker, on a Worker thread of a shared heap: `launch(handle)` must
   * start a Worker that calls markWorkerMain(handle) (see docs/gc.md for the shipped entry files).
   */
  startMarkWorker(launch: (handle: MarkWorkerHandle) => unknown): MarkWorker {
    return this.collector.startMarkWorker(this.handle(), launch);
  }

  /** Go's runtime.ReadMemStats for this heap (drops this P's tiny block, as Go's does). */
  readMemStats(): MemStats {
    this.checkAttached();
    this.refreshViews();
    releaseTinyBlock(this);
    return readMemStats(this);
  }
}
