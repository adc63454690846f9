// The controlling side of a background mark worker (Go's dedicated mark worker, gcBgMarkWorker): the
// thread that calls heap.startMarkWorker reserves one of MAX_MARK_WORKERS slots in the GC region,
// hands the caller a structured-cloneable MarkWorkerHandle to launch a Worker with, and gets back a
// MarkWorker to watch and stop it. Everything between the two threads goes through the buffer (the
// slot's words), never through messages, so the same code runs with Node's worker_threads and with
// browser Workers, and src/runtime needs no Worker API at all: the caller creates the Worker.
//
// Slot words: [state, stop request, cycles it marked in, unused]. FREE → RESERVED (here) → RUNNING
// (the worker registered) → STOPPED (the worker gave all its work back and unregistered).

import { GF_BG_TOTAL_MS, GF_BG_TOTAL_SCAN, G_BG_SLOTS, G_BG_WAKE, MAX_MARK_WORKERS } from '../layout.js';
import type { HeapHandle } from '../heap.js';
import type { Collector } from './collector.js';
import { GcUsageError } from './errors.js';

export const SLOT_FREE = 0;
export const SLOT_RESERVED = 1;
export const SLOT_RUNNING = 2;
export const SLOT_STOPPED = 3;
export const SLOT_WORDS = 4;

/** What a mark Worker needs: the heap and its slot. Pass it to markWorkerMain inside the Worker. */
export interface MarkWorkerHandle {
  readonly kind: 'gomem-mark-worker';
  readonly heap: HeapHandle;
  readonly slot: number;
}

export interface MarkWorkerStats {
  /** Cycles this worker marked in. */
  cycles: number;
  /** Time all mark workers of the heap spent marking, and the bytes they scanned (since the collector started). */
  markMs: number;
  scanBytes: number;
}

export type MarkWorkerState = 'starting' | 'running' | 'stopped';

export function slotWord(g: number, slot: number): number {
  return g + G_BG_SLOTS + SLOT_WORDS * slot;
}

/** Reserves a free slot (caller holds G_LOCK). */
export function reserveSlot(c: Collector): number {
  const i32 = c.h.i32;
  for (let k = 0; k < MAX_MARK_WORKERS; k++) {
    const w = slotWord(c.g, k);
    if (i32[w] === SLOT_FREE || i32[w] === SLOT_STOPPED) {
      i32[w] = SLOT_RESERVED;
      i32[w + 1] = 0;
      i32[w + 2] = 0;
      return k;
    }
  }
  throw new GcUsageError(`at most ${MAX_MARK_WORKERS} mark workers per heap`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A running (or starting) background mark worker, as seen from the thread that started it. */
export class MarkWorker {
  constructor(
    private readonly c: Collector,
    readonly handle: MarkWorkerHandle,
  ) {}

  private word(): number {
    return slotWord(this.c.g, this.handle.slot);
  }

  get state(): MarkWorkerState {
    const s = Atomics.load(this.c.h.i32, this.word());
    return s === SLOT_RESERVED ? 'starting' : s === SLOT_RUNNING ? 'running' : 'stopped';
  }

  /** Resolves once the Worker has registered (rejects after `timeoutMs` if it never does). */
  async started(timeoutMs = 10_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.state === 'starting') {
      if (performance.now() > until)
        throw new GcUsageError(`mark worker ${this.handle.slot} did not start within ${timeoutMs} ms`);
      await sleep(1);
    }
  }

  /**
   * Asks the worker to stop: it gives back any grey objects it holds, unregisters and returns from
   * markWorkerMain (a Node Worker then exits by itself). Resolves once it has.
   */
  async stop(): Promise<void> {
    const h = this.c.h;
    const w = this.word();
    Atomics.store(h.i32, w + 1, 1);
    Atomics.add(h.i32, this.c.g + G_BG_WAKE, 1);
    Atomics.notify(h.i32, this.c.g + G_BG_WAKE);
    if (Atomics.load(h.i32, w) === SLOT_RESERVED) {
      // Never started: take the slot back unless the Worker registers meanwhile.
      if (Atomics.compareExchange(h.i32, w, SLOT_RESERVED, SLOT_STOPPED) === SLOT_RESERVED) return;
    }
    while (Atomics.load(h.i32, w) !== SLOT_STOPPED) await sleep(1);
  }

  stats(): MarkWorkerStats {
    const h = this.c.h;
    h.refreshViews();
    return {
      cycles: Atomics.load(h.i32, this.word() + 2),
      markMs: h.f64[this.c.gf + GF_BG_TOTAL_MS]!,
      scanBytes: h.f64[this.c.gf + GF_BG_TOTAL_SCAN]!,
    };
  }
}
