// One benchmark thread of the shared-heap benchmark (shared-heap.mjs): builds its own churn
// sequence, gets a heap the way its mode says, fills and warms up untimed, then waits at the start
// gate with the other threads and runs its timed churn steps.
//
// Modes:
//   own     a non-shared Heap of its own (the single-thread baseline)
//   shared  Heap.attach(handle): a P of its own on the shared heap
//   locked  the single-thread allocator under one global lock: every thread drives P 0 of a
//           non-shared heap's buffer with the single-thread code paths (shared = false), and each
//           malloc/free holds a futex-style lock (spin, then Atomics.wait) and re-makes its views
//           if the other thread grew the buffer. This reaches into the Heap object (shared, setP,
//           refreshViews), which the public API does not offer, on purpose: it is what "put a mutex
//           around the single-threaded allocator" means.

import { parentPort, workerData } from 'node:worker_threads';
import { churnSequence } from './sequences.mjs';
import { compileFor, pointerArray } from './workloads.mjs';

const { mode, oursModule, handle, buffer, maxBytes, lockBuffer, gateBuffer, live, warm, steps, seed } = workerData;
// undefined: gomem's default heap profiling (a stack per 512 KiB allocated); 0: none.
const profiling = { memProfileRate: workerData.memProfileRate };
const { Heap } = await import(oursModule);

const direct = {
  prologue: '',
  malloc: (x) => `A.malloc(${x})`,
  free: (x) => `A.free(${x})`,
  ptrs: 'u32',
};

// Drepper's three-state mutex: 0 free, 1 held, 2 held with waiters; release notifies only when 2.
const lockedPrologue = `
  const heap = A.heap, L = A.lock;
  function acquire() {
    if (Atomics.compareExchange(L, 0, 0, 1) === 0) return;
    for (let i = 0; i < 64; i++) if (Atomics.load(L, 0) === 0 && Atomics.compareExchange(L, 0, 0, 1) === 0) return;
    while (Atomics.exchange(L, 0, 2) !== 0) Atomics.wait(L, 0, 2);
  }
  function release() {
    if (Atomics.exchange(L, 0, 0) === 2) Atomics.notify(L, 0, 1);
  }
  // After taking the lock, re-make the views if the other thread grew the buffer: the single-thread
  // code never expects growth it did not do itself.
  function lockedMalloc(n) { acquire(); heap.refreshViews(); const p = heap.malloc(n); release(); return p; }
  function lockedFree(p) { acquire(); heap.refreshViews(); heap.free(p); release(); }
`;
const locked = {
  prologue: lockedPrologue,
  malloc: (x) => `lockedMalloc(${x})`,
  free: (x) => `lockedFree(${x})`,
  ptrs: 'u32',
};

function makeHeap() {
  if (mode === 'own') return { adapter: direct, A: new Heap({ maxBytes, ...profiling }) };
  if (mode === 'shared') return { adapter: direct, A: Heap.attach(handle, profiling) };
  const heap = Heap.attach({ kind: 'gomem-heap', buffer }, profiling);
  heap.shared = false;
  heap.setP(0);
  return { adapter: locked, A: { heap, lock: new Int32Array(lockBuffer) } };
}

const seq = churnSequence(seed, live, warm + steps);
const { adapter, A } = makeHeap();
const fill = compileFor(adapter, 'fill', A);
const churn = compileFor(adapter, 'churn', A);
const P = pointerArray(adapter, live);
fill(P, seq.fill, 0x7fffffff, live);
churn(P, seq.victim, seq.size, 0, warm);

// Start gate: [ready count, go flag].
const gate = new Int32Array(gateBuffer);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
while (Atomics.load(gate, 1) === 0) Atomics.wait(gate, 1, 0);

const start = performance.timeOrigin + performance.now();
churn(P, seq.victim, seq.size, warm, warm + steps);
const end = performance.timeOrigin + performance.now();
if (P.indexOf(0) !== -1) throw new Error('malloc returned 0');
parentPort.postMessage({ start, end, steps });
