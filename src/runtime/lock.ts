// Locks for the shared parts of the heap (mcentral, mheap), built on Atomics over an int32 in the
// buffer: 0 = free, 1 = held, 2 = held with waiters. Take it with one compare-exchange when it is free,
// spin briefly (critical sections here are short), then sleep in Atomics.wait where the thread may block,
// or keep spinning where it may not (a browser's main thread). Unlock notifies only when someone waits.
//
// A heap that is not shared is only ever touched by one thread, so its callers skip locking altogether.

const SPINS = 64;

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
