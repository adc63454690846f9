// gomem: Go's memory management system for JavaScript memory.
export { Heap, type HeapOptions } from './runtime/heap.js';
export { GomemError, OutOfMemoryError, InvalidPointerError, HeapConfigError } from './runtime/errors.js';
export { sizeClasses, sizeToClass, roundUpSize, type SizeClass } from './runtime/sizeclasses.js';
export type { MemStats, SizeClassStats } from './runtime/stats.js';
export { GcTypeError, GcUsageError } from './runtime/gc/errors.js';
export type { GcType, TypeSpec } from './runtime/gc/types.js';
export type { RootHandle, GcTraceOption } from './runtime/gc/collector.js';
export type { CycleTrace } from './runtime/gc/trace.js';
export type { MarkWorker, MarkWorkerHandle, MarkWorkerStats, MarkWorkerState } from './runtime/gc/bgworker.js';
export { markWorkerMain, type MarkWorkerSummary } from './runtime/gc/mark-worker.js';
/** Worker entry modules for heap.startMarkWorker: `node` takes the handle as workerData, `browser` (a module Worker) as its first message. */
export const markWorkerEntry = {
  node: new URL('./node/mark-worker.js', import.meta.url),
  browser: new URL('./runtime/gc/mark-worker-entry.js', import.meta.url),
};
