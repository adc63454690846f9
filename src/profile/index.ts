// gomem/profile: heap profiles (pprof), traces (Chrome trace events) and retainer paths. Browser-safe.
export { DEFAULT_MEM_PROFILE_RATE, MemProfile, nextSampleDistance, type MemProfileRecord } from './memprofile.js';
export {
  HEAP_SAMPLE_TYPES,
  buildHeapProfile,
  decodeProfile,
  encodeHeapProfile,
  scaleHeapSample,
  type DecodedHeapSample,
  type DecodedProfile,
  type HeapProfileOptions,
} from './pprof.js';
export {
  HeapTracer,
  parseTrace,
  startTrace,
  stopTrace,
  traceFile,
  traceGcCycle,
  type GcCycleTimes,
  type TraceEvent,
  type TraceFile,
} from './trace.js';
export { findRetainers, formatRetainers, type RetainerPath, type RetainerStep } from './retainers.js';
export { parseStack, type StackFrame } from './stack.js';
export { ProfileConfigError, ProfileFormatError } from './errors.js';
