// HeapState: what a thread holds of a heap — views over the buffer, where each region starts, and which
// P it is. Nothing here is allocator state (that is all in the buffer, see layout.ts); a thread can
// rebuild this object from the buffer alone, which is what attaching a Worker does.

import { type Backing, backingBuffer } from './memory.js';
import { H_DEAD_MCACHE, H_MAPPED_PAGES, PAGE_SIZE, type Layout, MCACHE_WORDS, P_STATS_WORD } from './layout.js';

/**
 * Where the runtime reports events while a trace is on (src/profile/trace.ts implements it; the
 * collector reports its phases here too). Times are performance.now() milliseconds.
 */
export interface RuntimeTraceHook {
  now(): number;
  /** A span of time that began at `start` and ends now (Chrome trace "complete" event). */
  complete(name: string, start: number, args?: Record<string, number | string>): void;
  begin(name: string, args?: Record<string, number | string>): void;
  end(name: string, args?: Record<string, number | string>): void;
  instant(name: string, args?: Record<string, number | string>): void;
  counter(name: string, values: Record<string, number>): void;
  /** A span of time from `start` to `end` (both from now()), for phases reported after they ended. */
  completeAt?(name: string, start: number, end: number, args?: Record<string, number | string>): void;
}

export class HeapState {
  backing: Backing;
  shared: boolean;
  /** Whether this thread may sleep in Atomics.wait while a lock is held elsewhere. */
  canBlock = false;

  i32!: Int32Array;
  u32!: Uint32Array;
  u16!: Uint16Array;
  u8!: Uint8Array;
  f64!: Float64Array;

  maxPages: number;
  readonly maxP: number;
  readonly metaPages: number;
  readonly mcentralWord: number;
  readonly pWord: number;
  readonly spansWord: number;
  readonly pallocWord: number;
  readonly scavWord: number;
  readonly levelWord: number[];
  readonly levelEntries: number[];
  /** Per chunk, which lengths of free runs lie inside it (see pagealloc.ts's summarizeChunk). */
  readonly runMaskWord: number;

  /** Event sink while tracing (heap.startTrace); null otherwise, so each event site costs one test. */
  trace: RuntimeTraceHook | null = null;

  /** This thread's P, its mcache's first word and its float64 counters' first index. */
  pid = -1;
  mc = 0;
  ps = 0;

  constructor(backing: Backing, layout: Layout, shared: boolean) {
    this.backing = backing;
    this.shared = shared;
    this.maxPages = layout.maxPages;
    this.maxP = layout.maxP;
    this.metaPages = layout.metaPages;
    this.mcentralWord = layout.mcentralWord;
    this.pWord = layout.pWord;
    this.spansWord = layout.spansWord;
    this.pallocWord = layout.pallocWord;
    this.scavWord = layout.scavWord;
    this.levelWord = layout.levelWord;
    this.levelEntries = layout.levelEntries;
    this.runMaskWord = layout.runMaskWord;
    this.makeViews();
  }

  setP(pid: number): void {
    this.pid = pid;
    this.mc = this.pWord + pid * MCACHE_WORDS;
    this.ps = (this.mc + P_STATS_WORD) >>> 1;
  }

  // Views are fixed-length on purpose: in V8 a length-tracking view of a resizable buffer costs several
  // times more per element access, so we re-make them after growth instead.
  private makeViews(): void {
    const buf = backingBuffer(this.backing);
    const bytes = buf.byteLength;
    this.i32 = new Int32Array(buf, 0, bytes >>> 2);
    this.u32 = new Uint32Array(buf, 0, bytes >>> 2);
    this.u16 = new Uint16Array(buf, 0, bytes >>> 1);
    this.u8 = new Uint8Array(buf, 0, bytes);
    this.f64 = new Float64Array(buf, 0, bytes >>> 3);
  }

  /**
   * After the buffer grew (here or in another thread): make sure the views see all of it. The common
   * case — nothing new mapped since the views were made — costs one load of the header's page count.
   */
  refreshViews(): void {
    if (this.i32[H_MAPPED_PAGES]! * PAGE_SIZE <= this.u8.length) return;
    this.remakeViews();
  }

  /** Re-makes the views if the buffer's length (or, for a wasm memory, the buffer itself) changed. */
  remakeViews(): void {
    const buf = backingBuffer(this.backing);
    if (this.u8.byteLength !== buf.byteLength || this.u8.buffer !== buf) this.makeViews();
  }

  /** Makes this object unusable after its P is gone: fast paths miss, slow paths check pid. */
  detachViews(): void {
    this.pid = -1;
    this.mc = H_DEAD_MCACHE;
    this.ps = 0;
    this.maxPages = 0;
  }

  get byteLength(): number {
    return this.u8.length;
  }
}
