// The worker side of a background mark worker: Go's dedicated mark worker (gcBgMarkWorker in
// gcDrain's dedicated mode), run on its own thread beside the mutators of a shared heap.
//
// markWorkerMain(handle) attaches to the heap as a P of its own and loops until asked to stop:
//   * idle (phase off) it sleeps on G_BG_WAKE, which sweep termination bumps;
//   * at the start of each cycle it takes G_LOCK once: decodes every type defined so far (objects it
//     will scan were all allocated before the cycle began — later ones are allocated black — so
//     their types are all known by then) and does the scope-stack root jobs if no mutator has;
//   * then it drains without G_LOCK: it takes a batch of grey objects from the global queue under the
//     work lock (counting itself busy in G_BG_BUSY in the same hold), scans them, greys what they point
//     to into its local buffer with Atomics.or on the mark bits, refills from the global queue, and
//     when nothing is left publishes its counters and stops counting itself busy. While it holds a
//     lot and the global queue is empty it gives half back, so a mutator finishing the cycle has
//     work to share (Go's work balancing).
// The worker never takes G_LOCK while busy, so a mutator holding G_LOCK can wait for G_BG_BUSY to
// drop without deadlock. It never ends a cycle: mark termination runs finalizers and trace callbacks
// that belong to mutator threads. When it finds no work anywhere it sets G_MARK_DONE, and the next
// allocation (or heap.gcStep/heap.gc) on any mutator ends the cycle.

import { GcUsageError } from './errors.js';
import {
  GC_MARK,
  GF_BG_BYTES,
  GF_BG_CREDIT,
  GF_BG_MS,
  GF_BG_SCAN,
  GF_BG_TOTAL_MS,
  GF_BG_TOTAL_SCAN,
  G_BG_BUSY,
  G_BG_CYCLE,
  G_BG_WAKE,
  G_BG_WORKERS,
  G_GREY,
  G_MARK_DONE,
  G_PHASE,
  G_TYPE_INDEX,
  MAX_MARK_WORKERS,
} from '../layout.js';
import { Heap } from '../heap.js';
import { type MarkWorkerHandle, SLOT_RESERVED, SLOT_RUNNING, SLOT_STOPPED, slotWord } from './bgworker.js';
import type { Collector } from './collector.js';
import {
  BATCH,
  type GcWork,
  drainLocal,
  lockWork,
  putGlobal,
  scanStacks,
  stacksScanned,
  takeGlobal,
  unlockWork,
} from './mark.js';
import type { TypeInfo } from './types.js';
import { vecLen } from './vec.js';

/** Scan work between checks for a stop request and for sharing work. */
const CHUNK = 16 << 10;
/** How long an idle worker sleeps between looks at the queue while a cycle is marking (ms). */
const IDLE_POLL_MS = 0.5;
/** How long it sleeps once it has found no work anywhere and said so (G_MARK_DONE). */
const DONE_WAIT_MS = 20;

export interface MarkWorkerSummary {
  /** Cycles it marked in, scan work it did (bytes) and time it spent marking (ms). */
  cycles: number;
  scanBytes: number;
  markMs: number;
}

function checkHandle(handle: unknown): MarkWorkerHandle {
  const hd = handle as Partial<MarkWorkerHandle> | null;
  if (hd === null || typeof hd !== 'object' || hd.kind !== 'gomem-mark-worker') {
    throw new GcUsageError('not a mark worker handle (heap.startMarkWorker passes one to its launch function)');
  }
  if (!Number.isInteger(hd.slot) || hd.slot! < 0 || hd.slot! >= MAX_MARK_WORKERS)
    throw new GcUsageError(`bad mark worker slot ${String(hd.slot)}`);
  return hd as MarkWorkerHandle;
}

/**
 * Runs a background mark worker on this thread until MarkWorker.stop() is called; then returns what
 * it did. Call it inside a Worker with the handle heap.startMarkWorker gave the launch function. It
 * blocks this thread (Atomics.wait), so it cannot run on a browser's main thread.
 */
export function markWorkerMain(handle: MarkWorkerHandle): MarkWorkerSummary {
  const hd = checkHandle(handle);
  const heap = Heap.attach(hd.heap, { memProfileRate: 0 });
  const c = heap.collector;
  const h = c.h;
  const g = c.g;
  const sw = slotWord(g, hd.slot);
  let registered: boolean;
  c.enter();
  try {
    registered = Atomics.compareExchange(h.i32, sw, SLOT_RESERVED, SLOT_RUNNING) === SLOT_RESERVED;
    if (registered) h.i32[g + G_BG_WORKERS]++;
  } finally {
    c.leave();
  }
  if (!registered) {
    heap.detach();
    throw new GcUsageError(
      `mark worker slot ${hd.slot} is not waiting for a worker (stopped, or the handle was used twice)`,
    );
  }
  Atomics.notify(h.i32, sw);
  const summary: MarkWorkerSummary = { cycles: 0, scanBytes: 0, markMs: 0 };
  const w = c.work;
  let busy = false;
  const unknownType = (id: number): TypeInfo => {
    throw new GcUsageError(`mark worker: object of type ${id}, defined after its cycle began (a bug)`);
  };

  /** Under the work lock: publish scan work and marked bytes; stop counting as busy if `idle`. */
  const publish = (work: number, ms: number, idle: boolean): void => {
    const f64 = h.f64;
    f64[c.gf + GF_BG_CREDIT] += work;
    f64[c.gf + GF_BG_SCAN] += work;
    f64[c.gf + GF_BG_BYTES] += w.bytesMarked;
    f64[c.gf + GF_BG_MS] += ms;
    f64[c.gf + GF_BG_TOTAL_SCAN] += work;
    f64[c.gf + GF_BG_TOTAL_MS] += ms;
    w.bytesMarked = 0;
    summary.scanBytes += work;
    summary.markMs += ms;
    if (idle && busy) {
      busy = false;
      if (--h.i32[g + G_BG_BUSY] === 0) Atomics.notify(h.i32, g + G_BG_BUSY);
    }
  };

  let cycle = -1;
  try {
    for (;;) {
      if (Atomics.load(h.i32, sw + 1) !== 0) break;
      const wake = Atomics.load(h.i32, g + G_BG_WAKE);
      if (Atomics.load(h.i32, g + G_PHASE) !== GC_MARK) {
        Atomics.wait(h.i32, g + G_BG_WAKE, wake, 100);
        continue;
      }
      const cyc = Atomics.load(h.i32, g + G_BG_CYCLE);
      if (cyc !== cycle) {
        cycle = cyc;
        startCycle(c, cycle, sw, summary);
      }
      // Take a batch (and count as busy in the same hold), or, finding nothing anywhere, say so.
      lockWork(c);
      let got = 0;
      let done = false;
      try {
        const i32 = h.i32;
        if (i32[g + G_PHASE] === GC_MARK && i32[g + G_BG_CYCLE] === cycle) {
          got = takeGlobal(h, g, w, BATCH);
          if (got > 0) {
            busy = true;
            i32[g + G_BG_BUSY]++;
          } else if (i32[g + G_BG_BUSY] === 0 && stacksScanned(c)) {
            i32[g + G_MARK_DONE] = 1;
            done = true;
          }
        }
      } finally {
        unlockWork(c);
      }
      if (got === 0) {
        // Nothing anywhere: sleep until the cycle ends (or a mutator finds the hint stale and wakes
        // us); otherwise look again soon — a barrier may queue more at any time.
        Atomics.wait(h.i32, g + G_BG_WAKE, wake, done ? DONE_WAIT_MS : IDLE_POLL_MS);
        continue;
      }
      drainBusy(c, w, sw, unknownType, publish);
    }
  } finally {
    // Whatever happened, leave no grey object behind and no busy count up.
    if (busy) {
      lockWork(c);
      try {
        putGlobal(h, g, w, w.n);
        publish(0, 0, true);
      } finally {
        unlockWork(c);
      }
    }
    c.enter();
    try {
      h.i32[g + G_BG_WORKERS]--;
    } finally {
      c.leave();
    }
    Atomics.store(h.i32, sw, SLOT_STOPPED);
    Atomics.notify(h.i32, sw);
    heap.detach();
  }
  return summary;
}

/** Once per cycle, under G_LOCK (not busy): views, every type defined so far, the scope-stack root jobs. */
function startCycle(c: Collector, cycle: number, sw: number, summary: MarkWorkerSummary): void {
  const h = c.h;
  c.enter();
  try {
    const n = vecLen(h, c.g + G_TYPE_INDEX);
    for (let id = 1; id < n; id++) if (c.typeTable[id] === undefined) c.typeById(id);
    if (h.i32[c.g + G_PHASE] === GC_MARK && h.i32[c.g + G_BG_CYCLE] === cycle && !stacksScanned(c)) {
      c.scanWork += scanStacks(c, Infinity);
      // Not busy here: what the scan greyed goes to the global queue (the batches come next).
      const w = c.work;
      lockWork(c);
      try {
        putGlobal(h, c.g, w, w.n);
      } finally {
        unlockWork(c);
      }
      c.bytesMarked += w.bytesMarked;
      w.bytesMarked = 0;
    }
    h.i32[sw + 2]++;
    summary.cycles++;
  } finally {
    c.leave();
  }
}

/** Drains while busy: local buffer first, refilled from the global queue, until nothing is left. */
function drainBusy(
  c: Collector,
  w: GcWork,
  sw: number,
  unknownType: (id: number) => TypeInfo,
  publish: (work: number, ms: number, idle: boolean) => void,
): void {
  const h = c.h;
  const g = c.g;
  let t0 = performance.now();
  let work = 0;
  for (;;) {
    h.refreshViews();
    work += drainLocal(h, c.typeTable, unknownType, w, CHUNK, true);
    const stop = Atomics.load(h.i32, sw + 1) !== 0;
    if (w.n === 0 || stop) {
      lockWork(c);
      try {
        if (stop) putGlobal(h, g, w, w.n);
        const more = stop ? 0 : takeGlobal(h, g, w, BATCH);
        const t1 = performance.now();
        publish(work, t1 - t0, more === 0);
        work = 0;
        t0 = t1;
        if (more === 0) return;
      } finally {
        unlockWork(c);
      }
    } else if (w.n > 64 && Atomics.load(h.i32, g + G_GREY + 1) === 0) {
      lockWork(c);
      try {
        putGlobal(h, g, w, w.n >>> 1);
      } finally {
        unlockWork(c);
      }
    }
  }
}
