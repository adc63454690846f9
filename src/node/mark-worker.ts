// Entry module for a background mark worker on Node's worker_threads: start it with the handle as
// workerData, e.g.
//   heap.startMarkWorker((handle) => new Worker(markWorkerEntry.node, { workerData: handle }));
// It runs markWorkerMain until the MarkWorker is stopped, posts its summary and ends (the Worker exits
// by itself). A handle sent with postMessage instead of workerData works too.

import { parentPort, workerData } from 'node:worker_threads';
import type { MarkWorkerHandle } from '../runtime/gc/bgworker.js';
import { markWorkerMain } from '../runtime/gc/mark-worker.js';

function run(handle: MarkWorkerHandle): void {
  const summary = markWorkerMain(handle);
  parentPort?.postMessage({ kind: 'gomem-mark-worker-done', summary });
}

const data = workerData as { kind?: unknown } | null | undefined;
if (data !== null && typeof data === 'object' && data.kind === 'gomem-mark-worker') run(data as MarkWorkerHandle);
else parentPort?.once('message', (handle: MarkWorkerHandle) => run(handle));
