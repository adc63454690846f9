// The workloads `gomem demo` and `gomem inspect` run: small programs with a recognisable memory shape,
// written as a step function so that a caller can run them in slices (a progress line, a live page
// that keeps serving between slices) and on any thread. Browser-safe: no Node APIs.
//
//   churn         a message broker's buffers: a fixed population, each step frees a random buffer and
//                 allocates a new one (95% 8–256 B, ~5% 257 B–32 KiB, 0.1% 64 KiB–1 MiB), stamping
//                 each so a buffer handed out twice would be caught
//   binary-trees  the benchmark game's: build and check trees of depth 4..maxDepth, one long-lived
//                 tree throughout; nodes are collected objects (heap.new + storePointer) when the heap
//                 has a collector, malloc'd and freed node by node otherwise
//   leak          a request handler that frees its request buffers but remembers one session record
//                 in 20 in a cache nobody ever clears: in-use bytes grow at rememberSession

import type { Heap } from '../runtime/heap.js';

export const WORKLOAD_NAMES = ['churn', 'binary-trees', 'leak'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface Workload {
  readonly name: WorkloadName;
  /** Runs up to n more steps; returns how many ran (0 once finished). */
  run(n: number): number;
  readonly done: number;
  readonly total: number;
  /** One line on what the workload did, for the final report. */
  summary(): string;
}

export interface WorkloadOptions {
  steps: number;
  seed: number;
  /** churn: live buffers kept. */
  live?: number;
}

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The churn size mix of the benchmarks: 95% 8–256 B, ~5% 257 B–32 KiB, 0.1% 64 KiB–1 MiB. */
export function churnSize(rand: () => number): number {
  const r = rand();
  if (r < 0.001) return 65536 + Math.floor(rand() * (1048576 - 65536));
  if (r < 0.05) return 257 + Math.floor(rand() * (32768 - 257));
  return 8 + Math.floor(rand() * 249);
}

export class HeapCorruptionError extends Error {
  override name = 'HeapCorruptionError';
}

export function makeWorkload(name: WorkloadName, heap: Heap, options: WorkloadOptions): Workload {
  switch (name) {
    case 'churn':
      return churn(heap, options);
    case 'binary-trees':
      return binaryTrees(heap, options);
    case 'leak':
      return leak(heap, options);
  }
}

function churn(heap: Heap, { steps, seed, live = 100_000 }: WorkloadOptions): Workload {
  const rand = prng(seed);
  const ptrs = new Float64Array(live);
  const sizes = new Int32Array(live);
  const stamps = new Int32Array(live);
  let filled = 0;
  let done = 0;
  const allocateBuffer = (i: number, stamp: number) => {
    const n = churnSize(rand);
    const p = heap.malloc(n);
    ptrs[i] = p;
    sizes[i] = n;
    stamps[i] = stamp;
    const u8 = heap.u8;
    u8[p] = stamp & 255;
    u8[p + n - 1] = (stamp >>> 8) & 255;
  };
  const releaseBuffer = (i: number) => {
    const p = ptrs[i]!;
    const n = sizes[i]!;
    const u8 = heap.u8;
    if (u8[p] !== (stamps[i]! & 255) || u8[p + n - 1] !== ((stamps[i]! >>> 8) & 255)) {
      throw new HeapCorruptionError(`buffer ${i} at ${p} was overwritten: the heap handed its memory out twice`);
    }
    heap.free(p);
  };
  return {
    name: 'churn',
    total: steps,
    get done() {
      return done;
    },
    run(n) {
      let ran = 0;
      for (; filled < live && ran < n; ran++) allocateBuffer(filled++, filled);
      while (done < steps && ran < n) {
        const i = Math.floor(rand() * live);
        releaseBuffer(i);
        allocateBuffer(i, live + done);
        done++;
        ran++;
      }
      return ran;
    },
    summary() {
      let bytes = 0;
      for (let i = 0; i < filled; i++) bytes += sizes[i]!;
      return `churn: ${done} free+malloc steps over ${filled} live buffers (${bytes} bytes requested live)`;
    },
  };
}

/** Tree nodes made with malloc: [left, right] pointers in 16 bytes, freed explicitly. */
function mallocTrees(heap: Heap) {
  const bottomUpTree = (depth: number): number => {
    const node = heap.malloc(16);
    const left = depth > 0 ? bottomUpTree(depth - 1) : 0;
    const right = depth > 0 ? bottomUpTree(depth - 1) : 0;
    const u32 = heap.u32;
    u32[node >>> 2] = left;
    u32[(node >>> 2) + 1] = right;
    return node;
  };
  const itemCheck = (node: number): number => {
    const left = heap.u32[node >>> 2]!;
    return left === 0 ? 1 : 1 + itemCheck(left) + itemCheck(heap.u32[(node >>> 2) + 1]!);
  };
  const freeTree = (node: number): void => {
    const left = heap.u32[node >>> 2]!;
    const right = heap.u32[(node >>> 2) + 1]!;
    heap.free(node);
    if (left !== 0) freeTree(left);
    if (right !== 0) freeTree(right);
  };
  return { bottomUpTree, itemCheck, freeTree };
}

/** Tree nodes as collected objects: the collector frees whole trees once nothing holds them. */
function collectedTrees(heap: Heap) {
  const TreeNode = heap.defineType({ name: 'main.TreeNode', size: 8, pointers: [0, 4] });
  const bottomUpTree = (depth: number): number =>
    heap.scope(() => {
      const node = heap.new(TreeNode);
      if (depth > 0) {
        heap.storePointer(node, 0, bottomUpTree(depth - 1));
        heap.storePointer(node, 4, bottomUpTree(depth - 1));
      }
      return node;
    });
  const itemCheck = (node: number): number => {
    const left = heap.loadPointer(node, 0);
    return left === 0 ? 1 : 1 + itemCheck(left) + itemCheck(heap.loadPointer(node, 4));
  };
  return { bottomUpTree, itemCheck, freeTree: (_node: number) => {} };
}

function hasCollector(heap: Heap): boolean {
  return typeof (heap as { gc?: unknown }).gc === 'function' && typeof (heap as { new?: unknown }).new === 'function';
}

function binaryTrees(heap: Heap, { steps }: WorkloadOptions): Workload {
  const collected = hasCollector(heap);
  const trees = collected ? collectedTrees(heap) : mallocTrees(heap);
  const maxDepth = 12;
  // One step = one short-lived tree; depths cycle 4, 6, …, maxDepth with Go's iteration weights.
  const longLived = collected ? heap.root(trees.bottomUpTree(maxDepth)) : null;
  const longLivedMalloc = collected ? 0 : trees.bottomUpTree(maxDepth);
  let done = 0;
  let checks = 0;
  let finished = false;
  return {
    name: 'binary-trees',
    total: steps,
    get done() {
      return done;
    },
    run(n) {
      let ran = 0;
      while (done < steps && ran < n) {
        const depth = 4 + 2 * (done % ((maxDepth - 4) / 2 + 1));
        const shortLived = () => {
          const t = trees.bottomUpTree(depth);
          checks += trees.itemCheck(t);
          trees.freeTree(t);
          return 0;
        };
        // A collected tree is garbage once the scope that made it returns.
        if (collected) heap.scope(shortLived);
        else shortLived();
        done++;
        ran++;
      }
      if (done === steps && !finished) {
        finished = true;
        if (longLived !== null) longLived.release();
        else trees.freeTree(longLivedMalloc);
      }
      return ran;
    },
    summary() {
      return `binary-trees: ${done} trees of depth 4..${maxDepth} (${checks} nodes checked), ${collected ? 'collected objects (heap.new)' : 'malloc/free nodes'}`;
    },
  };
}

function leak(heap: Heap, { steps, seed }: WorkloadOptions): Workload {
  const rand = prng(seed);
  const sessions: number[] = [];
  let done = 0;
  const rememberSession = (id: number): void => {
    const p = heap.malloc(512);
    heap.u32[p >>> 2] = id;
    sessions.push(p); // never removed: the leak
  };
  const handleRequest = (id: number): void => {
    const body = heap.malloc(256 + Math.floor(rand() * 3840));
    heap.u8[body] = id & 255;
    if (id % 20 === 0) rememberSession(id);
    heap.free(body);
  };
  return {
    name: 'leak',
    total: steps,
    get done() {
      return done;
    },
    run(n) {
      let ran = 0;
      for (; done < steps && ran < n; ran++) handleRequest(done++);
      return ran;
    },
    summary() {
      return `leak: ${done} requests handled, ${sessions.length} session records (${sessions.length * 512} bytes) kept forever by rememberSession`;
    },
  };
}
