// gomem: Go's memory management system for JavaScript memory.
export { Heap, type HeapOptions } from './runtime/heap.js';
export { GomemError, OutOfMemoryError, InvalidPointerError, HeapConfigError } from './runtime/errors.js';
export { sizeClasses, sizeToClass, roundUpSize, type SizeClass } from './runtime/sizeclasses.js';
export type { MemStats, SizeClassStats } from './runtime/stats.js';
