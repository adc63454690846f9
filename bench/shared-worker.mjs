// One benchmark thread of the shared-heap benchmark (shared-heap.mjs): builds its own churn
// sequence, gets a heap the way its mode says, fills and warms up untimed, then runs short timed
// chunks of its sequence whenever the main thread tells it to, until told to exit.
//
// Why chunks: this VM's speed drifts by up to 2× between minutes (and sometimes seconds), so two
// configurations measured in separate trials differ by the VM as much as by the heap. Every worker
// therefore starts once and stays ready; the main thread runs short phases (one chunk, ~10 ms) of one
// configuration after another, and the configurations a target compares run in adjacent phases.
//
// Each chunk starts with an untimed lead-in (`lead` steps) before its timed steps. A worker woken after
// sitting out other phases runs its first 10k steps ~2× slower, the next 10k ~1.2×, and is steady by
// 30k, whatever ran in between (measured with 10k-step chunks back to back; also with the machine idle
// between rounds). Without the lead-in, whichever configuration of a pair ran first paid for it: the
// shared heap, 1 thread first, came out at 2.01× for 2 threads over 1, the wasm-memory heap, 2 threads
// first, at 1.67×, in the same run. After the lead-in the workers of a phase meet at a barrier, so two
// threads start their timing together rather than as far apart as their lead-ins happened to end.
//
// Protocol, over the control SharedArrayBuffer `ctl` (Int32Array) and `times` (Float64Array):
//   ctl[GO]    the main thread's generation for this worker: bumped (and notified) to run one chunk,
//              -1 to exit. The worker waits on it with Atomics.wait and remembers the last one it ran.
//   ctl[DONE]  -1 until the worker has filled and warmed up, 0 when it is ready, then the generation
//              of the last chunk it finished (written after its times).
//   ctl[0]     a counter every worker bumps and notifies after writing DONE: the one address the main
//              thread waits on, whichever worker finishes.
//   ctl[1], ctl[2]  the barrier: workers that finished their lead-in in this phase, and how many take
//              part (both set by the main thread before it wakes them). A worker spins there (a futex
//              wake-up would cost the ~100 µs it is meant to save) for at most a second, then times on
//              alone: a partner that died must fail its phase, not hang this worker.
//   times[2 id], times[2 id + 1]   the last chunk's start and end (performance.timeOrigin + now(), ms),
//              so the main thread can compare the clocks of two threads.
// A worker that throws ends with an 'error' event, which the main thread watches for; it never
// reports through ctl, so a failure cannot be mistaken for a finished chunk.
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

import { workerData } from 'node:worker_threads';
import { churnSequence } from './sequences.mjs';
import { compileFor, directCalls, pointerArray } from './workloads.mjs';

// `steps`: the steps after the warm-up this worker may be asked for, `lead` + `chunk` at a time. The
// sequence is made that long up front, so a chunk only ever indexes into it.
const { id, mode, oursModule, handle, buffer, maxBytes, lockBuffer, ctlBuffer, timesBuffer } = workerData;
const { live, warm, lead, chunk, steps, seed } = workerData;
// undefined: gomem's default heap profiling (a stack per 512 KiB allocated); 0: none.
const profiling = { memProfileRate: workerData.memProfileRate };
const { Heap } = await import(oursModule);

const direct = { name: 'gomem', ...directCalls };

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
  name: 'locked',
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
if (P.indexOf(0) !== -1) throw new Error('malloc returned 0');

const ctl = new Int32Array(ctlBuffer);
const times = new Float64Array(timesBuffer);
const ARRIVED = 1;
const NEED = 2;
const GO = 3 + 2 * id;
const DONE = GO + 1;
const finished = (gen) => {
  Atomics.store(ctl, DONE, gen);
  Atomics.add(ctl, 0, 1);
  Atomics.notify(ctl, 0);
};
finished(0);

function barrier() {
  Atomics.add(ctl, ARRIVED, 1);
  const need = Atomics.load(ctl, NEED);
  const giveUp = performance.now() + 1000;
  for (let i = 0; Atomics.load(ctl, ARRIVED) < need; i++) if ((i & 1023) === 0 && performance.now() > giveUp) break;
}

let k = warm;
for (let gen = 0; ;) {
  Atomics.wait(ctl, GO, gen);
  gen = Atomics.load(ctl, GO);
  if (gen < 0) break;
  if (k + lead + chunk > warm + steps) throw new Error(`asked for more than the ${steps} steps planned`);
  churn(P, seq.victim, seq.size, k, k + lead);
  k += lead;
  barrier();
  const start = performance.timeOrigin + performance.now();
  churn(P, seq.victim, seq.size, k, k + chunk);
  const end = performance.timeOrigin + performance.now();
  k += chunk;
  // Checked after the timing (a scan of the live set, tens of µs): a 0 found here fails this phase.
  if (P.indexOf(0) !== -1) throw new Error('malloc returned 0');
  times[2 * id] = start;
  times[2 * id + 1] = end;
  finished(gen);
}
