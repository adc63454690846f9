// ── Issue 3: the shared-heap benchmark ────────────────────────────────────────────────────────────
//
// Churn throughput with 1 thread and with 2 threads on one shared heap (each thread a P with its own
// mcache), and the same 2 threads on one global lock around the single-thread allocator, the naive
// alternative. Targets (issue 3): 2 threads ≥ 1.6× the 1-thread throughput; a shared heap with 1
// thread within 1.3× of the non-shared heap's ns/op.
//
// The multi-thread API (heap.handle(), Heap.attach(handle), heap.detach()) is being built; until
// `Heap.attach` exists in dist/, this reports that it is not available yet and the run goes on.

/** Whether this build of gomem has the multi-thread API the benchmark needs. */
export function sharedHeapAvailable(Heap) {
  return typeof Heap.attach === 'function' && typeof Heap.prototype.handle === 'function';
}

/** Runs the shared-heap benchmark, or returns { unavailable } with the reason. */
export async function benchSharedHeap(options) {
  const { Heap } = await import(options.oursModule);
  if (!sharedHeapAvailable(Heap)) return { unavailable: 'shared heap: not available yet (no Heap.attach in dist/)' };
  return { unavailable: 'shared heap: Heap.attach exists but this benchmark is not written yet' };
}
