// The data model shared by the readers, the rules and the reports. Readers turn bytes into
// snapshots (heap, goroutine, MemStats series) with every number already a JS number and
// every frame resolved to {function, file, line}; rules only ever see these shapes.

/** One source-level frame. Inlined calls are separate frames, callee first, like pprof's Lines. */
export interface Frame {
  function: string;
  file: string;
  line: number;
}

export type GoroutineFormat = 'debug=0' | 'debug=1' | 'debug=2';

/** Goroutines sharing one stack (one debug=0 sample, one debug=1 group, or identical debug=2 entries). */
export interface GoroutineGroup {
  count: number;
  /** Leaf first. debug=1 and debug=2 omit the leading runtime frames; debug=0 keeps them. */
  stack: Frame[];
  /** debug=2 only: the bracketed state, e.g. "chan receive". */
  waitReason?: string;
  /** debug=2 only: longest wait in minutes among the group (Go prints it after one minute). */
  waitMinutes?: number;
  /** debug=2 only: the `go` statement that started these goroutines. */
  createdBy?: Frame;
  /** debug=1 only: the raw program counters (return addresses), leaf first. */
  pcs?: number[];
}

export interface GoroutineSnapshot {
  source: string;
  format: GoroutineFormat;
  /** Unix nanoseconds from the profile (debug=0 only). */
  timeNanos?: number;
  total: number;
  groups: GoroutineGroup[];
  /** debug=0 only: location address -> function name, used to name debug=1's hidden runtime PCs. */
  symbols?: Map<number, string>;
}

/** One heap-profile sample: values already scaled by Go, `objectSize` from the `bytes` label. */
export interface HeapSample {
  stack: Frame[];
  allocObjects: number;
  allocSpace: number;
  inuseObjects: number;
  inuseSpace: number;
  objectSize: number;
}

export interface HeapSnapshot {
  source: string;
  timeNanos: number;
  /** MemProfileRate the profile was sampled with. */
  period: number;
  samples: HeapSample[];
  symbols: Map<number, string>;
}

/** One line of a MemStats JSON-lines series. */
export interface MemStatsPoint {
  /** Seconds since the first point (or the line index when lines carry no time). */
  t: number;
  /** Numeric top-level MemStats fields (HeapInuse, HeapObjects, StackInuse, NumGC, ...). */
  stats: Record<string, number>;
  numGoroutine?: number;
  /** runtime/metrics values by their full name. */
  metrics: Record<string, number>;
  /** Application gauges (a map's length, a cache's size). */
  app: Record<string, number>;
}

export interface MemStatsSeries {
  source: string;
  /** False when lines had no timestamps and `t` counts lines. */
  timed: boolean;
  points: MemStatsPoint[];
}

export type ParsedInput =
  | { kind: 'heap'; snapshot: HeapSnapshot }
  | { kind: 'goroutine'; snapshot: GoroutineSnapshot }
  | { kind: 'memstats'; series: MemStatsSeries };

export type LeakKind =
  | 'goroutine-blocked-recv'
  | 'goroutine-blocked-send'
  | 'goroutine-blocked-select'
  | 'goroutine-range-unclosed'
  | 'goroutine-blocked-lock'
  | 'subslice-retention'
  | 'map-no-shrink'
  | 'timer-not-stopped'
  | 'unbounded-growth';

export type Confidence = 'high' | 'medium' | 'low';

export type EvidenceValue = number | string | boolean | number[] | string[] | null;

export interface Finding {
  kind: LeakKind;
  /** The user code responsible: first frame outside the runtime, the standard library and profilers. */
  function: string;
  file: string;
  line: number;
  confidence: Confidence;
  /** Figures behind the verdict; `stack` lists "function file:line" leaf first. */
  evidence: Record<string, EvidenceValue>;
  fix: string;
  /** One-line headline for the reports. */
  title: string;
  /** Ranking weight: an estimate of the bytes the leak holds at the last snapshot. */
  impactBytes: number;
}

export interface SeriesCurve {
  name: string;
  unit: 'bytes' | 'count';
  points: Array<[number, number]>;
}

export interface LeakSummary {
  verdict: string;
  inputs: { heapProfiles: number; goroutineProfiles: number; memstatsPoints: number; sources: string[] };
  goroutines?: { first: number; last: number; snapshots: number; seconds?: number };
  heap?: {
    inuseFirst: number;
    inuseLast: number;
    objectsFirst: number;
    objectsLast: number;
    snapshots: number;
    seconds?: number;
  };
  series?: {
    seconds: number;
    points: number;
    numGoroutineSlopePerSec?: number;
    heapInuseSlopePerSec?: number;
    /** Live heap estimated as NextGC/2 (the GC goal at GOGC=100), which unlike HeapInuse ignores garbage awaiting collection. */
    liveHeapEstimateSlopePerSec?: number;
    liveHeapEstimateLast?: number;
    heapObjectsSlopePerSec?: number;
    heapInuseLast?: number;
    idleNotReleased?: number;
    numGC?: number;
    totalAlloc?: number;
  };
  notes: string[];
}

export interface LeakReport {
  findings: Finding[];
  summary: LeakSummary;
  /** Curves for the HTML report (from the MemStats series). */
  curves: SeriesCurve[];
  /** Per-stack growth tables for the HTML report. */
  growingStacks: Array<{ label: string; values: number[]; unit: 'bytes' | 'goroutines'; stack: string[] }>;
}
