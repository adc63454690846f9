// The timed loops, and the protocol around them (fresh instance, untimed fill, warm-up, timing).
//
// Each loop is written once as source text with MALLOC(...)/FREE(...) holes; `compileFor` fills the
// holes with the adapter's expressions and compiles a separate function per allocator with
// `new Function`. Separate compilations keep V8's type feedback monomorphic: a shared loop would see
// five allocators, go megamorphic and charge the harness's own dispatch to whoever runs last.
//
// The loops allocate nothing themselves: pointers go into a typed array made before timing, sizes
// and victims come from typed arrays generated up front (sequences.mjs).

import { performance } from 'node:perf_hooks';

const LOOPS = {
  // (1) one malloc and its free, back to back.
  pairs: `return function pairs(n, from, to) {
    for (let k = from; k < to; k++) {
      const p = MALLOC(n);
      FREE(p);
    }
  };`,
  // Fill slot i with a block of size SZ[i & mask] (untimed set-up of the ring and of the churn).
  fill: `return function fill(P, SZ, mask, count) {
    for (let i = 0; i < count; i++) P[i] = MALLOC(SZ[i & mask]);
  };`,
  // (2) FIFO ring of a power-of-two number of live blocks.
  ring: `return function ring(P, SZ, mask, liveMask, from, to) {
    for (let k = from; k < to; k++) {
      const j = k & liveMask;
      FREE(P[j]);
      P[j] = MALLOC(SZ[k & mask]);
    }
  };`,
  // (3)/(4) free a random live block, allocate a new one in its slot.
  churn: `return function churn(P, V, SZ, from, to) {
    for (let k = from; k < to; k++) {
      const v = V[k];
      FREE(P[v]);
      P[v] = MALLOC(SZ[k]);
    }
  };`,
};

/**
 * The loop-facing half of an adapter for any object with malloc(n) and free(p) methods returning
 * integer pointers: gomem's Heap (every configuration of it), @thi.ng's MemPool and the bump floor.
 */
export const directCalls = {
  prologue: '',
  malloc: (x) => `A.malloc(${x})`,
  free: (x) => `A.free(${x})`,
  ptrs: 'u32',
};

let compilations = 0;

/** Compiles the named loop for one adapter; returns the loop function bound to the instance A. */
export function compileFor(adapter, loop, A) {
  const body = LOOPS[loop]
    .replace(/MALLOC\(([^()]*(?:\([^()]*\))?[^()]*)\)/g, (_, x) => adapter.malloc(x))
    .replace(/FREE\(([^()]*(?:\([^()]*\))?[^()]*)\)/g, (_, x) => adapter.free(x));
  // One compilation per allocator and instance, on purpose (see above). The numbered comment makes
  // every source text unique: V8 caches `new Function` by its source, and two compilations of the same
  // text share one feedback vector — gomem's, gomem-np's and bump's loops (all `A.malloc(n)`) did,
  // so each one's call sites saw the others' classes.
  compilations++;
  return new Function('A', `'use strict'; // ${adapter.name} ${loop} #${compilations}\n${adapter.prologue}\n${body}`)(
    A,
  );
}

export function pointerArray(adapter, n) {
  return adapter.ptrs === 'object' ? new Array(n).fill(null) : new Uint32Array(n);
}

/** True when a pointer allocator handed out 0 (its way of saying "out of memory"). */
function hasNullPointer(adapter, P) {
  if (adapter.ptrs === 'object') return false;
  return P.indexOf(0) !== -1;
}

/**
 * Runs `loop(from, to)` over [from, to) in chunks and times it. `budgetMs` stops early (for allocators
 * whose steps cost O(live blocks)); `afterChunk` runs between chunks, inside the timing.
 */
function timeSteps(loop, from, to, chunk, budgetMs, afterChunk) {
  const t0 = performance.now();
  let k = from;
  while (k < to) {
    const end = Math.min(to, k + chunk);
    loop(k, end);
    k = end;
    if (afterChunk) afterChunk();
    if (budgetMs > 0 && performance.now() - t0 > budgetMs) break;
  }
  const ms = performance.now() - t0;
  return { ns: ms * 1e6, steps: k - from };
}

/** Steps per loop call: small slices for the slow allocators so their time budget bites soon. */
function chunkFor(adapter) {
  return adapter.slow ? 64 : 16384;
}

/** (1) alloc+free pairs of `size` bytes: `warm` untimed pairs, then `iters` timed ones. */
export function runPairs(adapter, size, { warm, iters, budgetMs }) {
  const A = adapter.create({ expectBytes: 0 });
  const pairs = compileFor(adapter, 'pairs', A);
  const loop = (from, to) => pairs(size, from, to);
  timeSteps(loop, 0, warm, chunkFor(adapter), budgetMs, null);
  const t = timeSteps(loop, 0, iters, chunkFor(adapter), budgetMs, null);
  return { nsPerOp: t.ns / t.steps, steps: t.steps };
}

/** (2) the ring: fill `seq.live` blocks, `warm` untimed steps, `iters` timed steps. */
export function runRing(adapter, seq, { warm, iters, budgetMs }) {
  const A = adapter.create({ expectBytes: seq.live * 256 });
  const fill = compileFor(adapter, 'fill', A);
  const ring = compileFor(adapter, 'ring', A);
  const P = pointerArray(adapter, seq.live);
  fill(P, seq.size, seq.mask, seq.live);
  const liveMask = seq.live - 1;
  const loop = (from, to) => ring(P, seq.size, seq.mask, liveMask, from, to);
  timeSteps(loop, 0, warm, chunkFor(adapter), budgetMs, null);
  const t = timeSteps(loop, warm, warm + iters, chunkFor(adapter), budgetMs, null);
  if (hasNullPointer(adapter, P)) throw new Error('malloc returned 0 (out of memory)');
  return { nsPerOp: t.ns / t.steps, steps: t.steps };
}

/**
 * (3)/(4) churn over `seq` (sequences.churnSequence): fill, the first `warm` steps untimed, the rest
 * timed. Returns ns/step and, at the end, the allocator's footprint against the live bytes.
 */
export function runChurn(adapter, seq, { warm, budgetMs, expectBytes }) {
  const A = adapter.create({ expectBytes });
  const fill = compileFor(adapter, 'fill', A);
  const churn = compileFor(adapter, 'churn', A);
  const P = pointerArray(adapter, seq.live);
  fill(P, seq.fill, 0x7fffffff, seq.live);
  let peakTop = 0;
  const afterChunk = adapter.trackTop
    ? () => {
        if (A.top > peakTop) peakTop = A.top;
      }
    : null;
  const loop = (from, to) => churn(P, seq.victim, seq.size, from, to);
  const w = timeSteps(loop, 0, warm, chunkFor(adapter), budgetMs, afterChunk);
  // A slow allocator that ran out of warm-up budget starts its timed steps where it stopped.
  const start = w.steps;
  const timedSteps = seq.steps - warm;
  const t = timeSteps(loop, start, start + timedSteps, chunkFor(adapter), budgetMs, afterChunk);
  if (hasNullPointer(adapter, P)) throw new Error('malloc returned 0 (out of memory)');
  const doneSteps = start + t.steps;
  const fp = adapter.footprint(A, peakTop);
  const liveBytes = seq.liveBytesAfter(doneSteps);
  return {
    nsPerOp: t.ns / t.steps,
    steps: t.steps,
    doneSteps,
    liveBytes,
    footprint: fp && {
      ...fp,
      ratio: fp.bytes / liveBytes,
      inUseRatio: fp.inUseBytes ? fp.inUseBytes / liveBytes : undefined,
    },
  };
}
