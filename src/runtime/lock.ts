// Locks for the shared parts of the heap (mcentral, mheap), built on Atomics over an int32 in the
// buffer: 0 = free, 1 = held, 2 = held with waiters. Take it with one compare-exchange when it is free,
// spin briefly (critical sections here are short), then sleep in Atomics.wait where the thread may block,
// or keep spinning where it may not (a browser's main thread). Unlock notifies only when someone waits.
//
// A heap that is not shared is only ever touched by one thread, so its callers skip locking altogether.

/**
 * Spins (each an Atomics.load, 10–20 ns in V8 here) before sleeping: about 5–10 µs, a little more than
 * mheap's lock is usually held (3 µs on average, measured on the two-thread churn). Sleeping is the
 * expensive path on a VM: a futex wait and the notify that ends it took 100 µs or more each. With 64
 * spins (~1 µs) most contended acquisitions slept — 26–104 sleeps and 8–42 ms waiting per thread over
 * 300k churn steps — with 512, 3–10 sleeps and 4–17 ms, and 13 % more two-thread throughput.
 */
const SPINS = 512;

/** Whether this thread may block in Atomics.wait (false on a browser's main thread). */
export function threadCanBlock(i32: Int32Array): boolean {
  if (!(i32.buffer instanceof SharedArrayBuffer)) return false;
  try {
    // A value that cannot match returns at once; a thread that may not wait throws instead.
    Atomics.wait(i32, 0, 0x7fffffff ^ Atomics.load(i32, 0), 0);
    return true;
  } catch {
    return false;
  }
}

export function lock(i32: Int32Array, index: number, canBlock: boolean): void {
  if (Atomics.compareExchange(i32, index, 0, 1) === 0) return;
  for (let i = 0; i < SPINS; i++) {
    if (Atomics.load(i32, index) === 0 && Atomics.compareExchange(i32, index, 0, 1) === 0) return;
  }
  // Mark the lock contended; whoever releases it will wake one sleeper.
  while (Atomics.exchange(i32, index, 2) !== 0) {
    if (canBlock) Atomics.wait(i32, index, 2, 10);
  }
}

export function unlock(i32: Int32Array, index: number): void {
  if (Atomics.exchange(i32, index, 0) === 2) Atomics.notify(i32, index, 1);
}
