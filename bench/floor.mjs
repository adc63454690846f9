// How fast can Go's allocator design be in JavaScript at all? Issue 2 asks for alloc+free pairs within
// 4× of a bump allocator. This script measures, in one process and one harness, three things:
//
//   bump   the JS floor (bench/allocators.mjs's BumpAllocator): one add per malloc, free does nothing
//   floor  Go's design cut to its bones, for one size class only: the cached span's allocCache
//          (count trailing zeros, bump freeindex), free = spans table → span → slot by multiply →
//          clear the mark bit, and when the span is used up an in-place sweep (mark bits become alloc
//          bits, and free slots are marked at once, as gomem reserves them, so malloc writes no bit). No size-class lookup, no validation of the pointer, no statistics, no profiling hook,
//          no refill from a central list, no growth.
//   gomem  gomem's Heap (memProfileRate 0), which does all of those.
//
//   node bench/floor.mjs [size ...]      (default sizes 16 64 256; run npm run build first)
//
// If `floor` is already near or over 4× `bump`, no faithful Go-design allocator meets that target here,
// whatever its code: the ratio is the design's (a bitmap slot per object and a page table to find a
// pointer's span), not an implementation's.

import { loadAllocators } from './allocators.mjs';
import { runPairs } from './workloads.mjs';

const PAGE_BYTES = 8192;
const SPAN_RECORD = 1024; // word index of the one span record
const SPANS_TABLE = 256; // word index of the spans table (page number → span record)
const SPAN_BASE = 1 << 16; // byte offset of the span's one page
const DIV_SHIFT = 20;
// Record words: base, freeindex, allocCache, elemsize, divMul, nelems, then alloc/mark bitmaps.
const R_BASE = 0;
const R_FREEINDEX = 1;
const R_ALLOC_CACHE = 2;
const R_ELEMSIZE = 3;
const R_DIVMUL = 4;
const R_NELEMS = 5;
const R_ALLOC_BITS = 8;
const R_MARK_BITS = 8 + 32;

/** One size class, one span, Go's fast paths and nothing else. */
class GoDesignFloor {
  constructor(size) {
    const buffer = new SharedArrayBuffer(1 << 20, { maxByteLength: 1 << 24 });
    this.i32 = new Int32Array(buffer, 0, (1 << 20) >>> 2);
    this.u32 = new Uint32Array(buffer, 0, (1 << 20) >>> 2);
    const nelems = Math.floor(PAGE_BYTES / size);
    const r = SPAN_RECORD;
    this.i32[r + R_BASE] = SPAN_BASE;
    this.i32[r + R_ELEMSIZE] = size;
    this.i32[r + R_DIVMUL] = Math.ceil(2 ** DIV_SHIFT / size);
    this.i32[r + R_NELEMS] = nelems;
    this.i32[SPANS_TABLE + (SPAN_BASE >>> 13)] = r;
    this.sweep();
  }

  malloc(_n) {
    const i32 = this.i32;
    const r = SPAN_RECORD;
    const cache = i32[r + R_ALLOC_CACHE];
    if (cache !== 0) {
      const t = 31 - Math.clz32(cache & -cache);
      const idx = i32[r + R_FREEINDEX] + t;
      if (idx < i32[r + R_NELEMS]) {
        i32[r + R_ALLOC_CACHE] = t === 31 ? 0 : cache >>> (t + 1);
        i32[r + R_FREEINDEX] = idx + 1;
        return this.u32[r + R_BASE] + idx * i32[r + R_ELEMSIZE];
      }
    }
    return this.mallocSlow();
  }

  /** The next window of the same word, the next word, or (span used up) an in-place sweep. */
  mallocSlow() {
    const i32 = this.i32;
    const r = SPAN_RECORD;
    for (;;) {
      const next = (i32[r + R_FREEINDEX] + 32) & ~31;
      if (next >= i32[r + R_NELEMS]) this.sweep();
      else {
        i32[r + R_FREEINDEX] = next;
        i32[r + R_ALLOC_CACHE] = ~i32[r + R_ALLOC_BITS + (next >>> 5)];
      }
      if (i32[r + R_ALLOC_CACHE] !== 0) return this.malloc(0);
    }
  }

  sweep() {
    const i32 = this.i32;
    const r = SPAN_RECORD;
    const nelems = i32[r + R_NELEMS];
    for (let w = 0; w < 32; w++) {
      const left = nelems - 32 * w;
      const padding = left >= 32 ? 0 : left <= 0 ? -1 : -1 << left;
      i32[r + R_ALLOC_BITS + w] = i32[r + R_MARK_BITS + w] | padding;
      i32[r + R_MARK_BITS + w] = ~padding; // free slots reserved now, so malloc writes no mark bit (gomem's way)
    }
    i32[r + R_FREEINDEX] = 0;
    i32[r + R_ALLOC_CACHE] = ~i32[r + R_ALLOC_BITS];
  }

  free(p) {
    const i32 = this.i32;
    const r = i32[SPANS_TABLE + (p >>> 13)];
    const idx = ((p - this.u32[r + R_BASE]) * i32[r + R_DIVMUL]) >>> DIV_SHIFT;
    i32[r + R_MARK_BITS + (idx >>> 5)] &= ~(1 << (idx & 31));
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

const sizes = process.argv.slice(2).map(Number);
if (sizes.length === 0) sizes.push(16, 64, 256);
if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 2048)) {
  console.error('usage: node bench/floor.mjs [size ...]   (sizes 16..2048 bytes)');
  process.exit(2);
}
const adapters = await loadAllocators(new URL('../dist/index.js', import.meta.url).href);
const byName = (name) => adapters.find((a) => a.name === name);
// The floor as one more adapter, so all three run in run.mjs's own pairs loop (workloads.mjs).
const floorAdapter = { ...byName('bump'), name: 'floor', create: null };
const plan = { warm: 200_000, iters: 2_000_000, budgetMs: 60_000 };
console.log("alloc+free pairs in the benchmark's own loop: ns per pair (median of 5, interleaved), and × bump");
console.log('size     bump    floor (×bump)    gomem-np (×bump)');
for (const size of sizes) {
  floorAdapter.create = () => new GoDesignFloor(size);
  const runs = { bump: [], floor: [], gomem: [] };
  for (let trial = 0; trial < 5; trial++) {
    runs.bump.push(runPairs(byName('bump'), size, plan).nsPerOp);
    runs.floor.push(runPairs(floorAdapter, size, plan).nsPerOp);
    runs.gomem.push(runPairs(byName('gomem-np'), size, plan).nsPerOp);
  }
  const bump = median(runs.bump);
  const floor = median(runs.floor);
  const gomem = median(runs.gomem);
  console.log(
    `${String(size).padEnd(5)} ${bump.toFixed(1).padStart(7)}  ${floor.toFixed(1).padStart(7)} (${(floor / bump).toFixed(1)}×)  ${gomem.toFixed(1).padStart(10)} (${(gomem / bump).toFixed(1)}×)`,
  );
}
