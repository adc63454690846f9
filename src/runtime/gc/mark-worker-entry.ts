// Entry module for a background mark worker in a browser (a module Worker): the page starts it with
//   const w = new Worker(markWorkerEntry.browser, { type: 'module' });
//   heap.startMarkWorker((handle) => w.postMessage(handle));
// It runs markWorkerMain with the first message and, once the worker was stopped, posts its summary.
// (Node: src/node/mark-worker.ts, which takes the handle as workerData.)

import type { MarkWorkerHandle } from './bgworker.js';
import { markWorkerMain } from './mark-worker.js';

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void, options?: { once?: boolean }): void;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;
scope.addEventListener(
  'message',
  (event) => {
    const summary = markWorkerMain(event.data as MarkWorkerHandle);
    scope.postMessage({ kind: 'gomem-mark-worker-done', summary });
  },
  { once: true },
);
