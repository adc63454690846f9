// An opt-in event trace of the heap in the Chrome trace-event JSON format, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open as they are: heap growth, span refills, sweeps, and —
// from the collector, through the same hook — GC phases and assists.
//
// The runtime reports through the small RuntimeTraceHook interface on each Heap object (`heap.trace`):
// null when not tracing, so every event site in the allocator costs one test. HeapTracer implements the
// hook and keeps events in an array; `toJSON()` is the file. Timestamps are microseconds (the format's
// unit) from performance.now(), so traces from several threads of one process line up; each Heap
// object (thread) is its own `tid`, named with a metadata event.
//
// For the collector's engineer, the whole API is:
//   h.trace?.begin('GC mark'); … h.trace?.end('GC mark');         a phase (B/E pair, must nest)
//   const t0 = h.trace?.now(); … h.trace?.complete('assist', t0!) a span measured after the fact
//   h.trace?.instant('GC start', { cycle }); h.trace?.counter('heap', { HeapAlloc, NextGC })

import { emitGcCycle } from '../runtime/gc/trace.js';
import type { RuntimeTraceHook } from '../runtime/state.js';
import { ProfileFormatError } from './errors.js';

export type TraceArgs = Record<string, number | string>;

/** One Chrome trace event (the fields this writer uses). */
export interface TraceEvent {
  name: string;
  cat: string;
  /** B/E begin/end, X complete, i instant, C counter, M metadata. */
  ph: 'B' | 'E' | 'X' | 'i' | 'C' | 'M';
  /** Microseconds. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  /** Scope of an instant event: thread. */
  s?: 't';
  args?: TraceArgs;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, string>;
}

const now = (): number => performance.now();

export class HeapTracer implements RuntimeTraceHook {
  readonly events: TraceEvent[] = [];
  constructor(
    readonly tid = 0,
    readonly pid = 1,
    threadName = `gomem P${tid}`,
  ) {
    this.events.push({ name: 'thread_name', cat: '__metadata', ph: 'M', ts: 0, pid, tid, args: { name: threadName } });
  }

  now(): number {
    return now();
  }

  private push(name: string, ph: TraceEvent['ph'], ts: number, args?: TraceArgs, dur?: number): void {
    const e: TraceEvent = { name, cat: 'gomem', ph, ts: Math.round(ts * 1000) / 1000, pid: this.pid, tid: this.tid };
    if (dur !== undefined) e.dur = Math.round(dur * 1000) / 1000;
    if (ph === 'i') e.s = 't';
    if (args !== undefined) e.args = args;
    this.events.push(e);
  }

  complete(name: string, start: number, args?: TraceArgs): void {
    const t = now();
    this.push(name, 'X', start * 1000, args, (t - start) * 1000);
  }
  /** A span between two performance.now() times, for phases reported after the fact. */
  completeAt(name: string, start: number, end: number, args?: TraceArgs): void {
    this.push(name, 'X', start * 1000, args, Math.max(0, end - start) * 1000);
  }
  begin(name: string, args?: TraceArgs): void {
    this.push(name, 'B', now() * 1000, args);
  }
  end(name: string, args?: TraceArgs): void {
    this.push(name, 'E', now() * 1000, args);
  }
  instant(name: string, args?: TraceArgs): void {
    this.push(name, 'i', now() * 1000, args);
  }
  counter(name: string, values: Record<string, number>): void {
    this.push(name, 'C', now() * 1000, values);
  }

  /** The trace file's object: JSON.stringify it to write the file. */
  toJSON(): TraceFile {
    return traceFile(this.events);
  }
}

/** A trace file holding these events (from one tracer or several threads' tracers). */
export function traceFile(events: readonly TraceEvent[]): TraceFile {
  // A complete event is pushed when it ends but stamped with its start: sort (stably) by time.
  const sorted = [...events].sort((a, b) => Number(a.ph !== 'M') - Number(b.ph !== 'M') || a.ts - b.ts);
  return { traceEvents: sorted, displayTimeUnit: 'ms', otherData: { producer: 'gomem' } };
}

/** Starts tracing a heap (this thread's Heap object): its events go to the returned tracer. */
export function startTrace(
  heap: { trace: RuntimeTraceHook | null; p: number },
  tracer = new HeapTracer(Math.max(heap.p, 0)),
): HeapTracer {
  heap.trace = tracer;
  return tracer;
}

/** Stops tracing; the tracer keeps what it recorded. */
export function stopTrace(heap: { trace: RuntimeTraceHook | null }): void {
  heap.trace = null;
}

/** What the collector reports per cycle (its gctrace record; see src/runtime/gc/trace.ts). */
export interface GcCycleTimes {
  num: number;
  stw1Ms: number;
  markMs: number;
  stw2Ms: number;
  assistMs: number;
  heapStart: number;
  heapEnd: number;
  heapMarked: number;
  goal: number;
  forced: boolean;
}

/**
 * Turns one finished GC cycle, as the collector's gctrace callback reports it at mark termination,
 * into trace events laid back from now: the cycle, then its sweep termination (STW), mark and mark
 * termination (STW) phases in order, the assist time within mark, and a heap counter. Use it from
 * heap.setGCTrace((line, cycle) => traceGcCycle(tracer, cycle)) for a tracer not installed with
 * startTrace; with startTrace(heap) the collector emits these events itself.
 */
export function traceGcCycle(tracer: HeapTracer, c: GcCycleTimes): void {
  emitGcCycle(tracer, c);
}

const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'M', 'b', 'e', 'n', 's', 't', 'f', 'P', 'O', 'N', 'D']);

/**
 * Reads a trace file (JSON object form or bare array) back into events, checking the fields viewers
 * need. Not JSON, truncated, or events without name/ph/ts: a ProfileFormatError.
 */
export function parseTrace(text: string): TraceEvent[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProfileFormatError(`trace is not JSON (truncated?): ${(e as Error).message}`);
  }
  const events = Array.isArray(data) ? data : (data as { traceEvents?: unknown } | null)?.traceEvents;
  if (!Array.isArray(events)) throw new ProfileFormatError('trace has no traceEvents array');
  events.forEach((e: unknown, i) => {
    const ev = e as Partial<TraceEvent> | null;
    if (
      ev === null ||
      typeof ev !== 'object' ||
      typeof ev.name !== 'string' ||
      typeof ev.ph !== 'string' ||
      !PHASES.has(ev.ph)
    ) {
      throw new ProfileFormatError(`trace event ${i} lacks a name or a known phase`);
    }
    if (typeof ev.ts !== 'number' || !Number.isFinite(ev.ts))
      throw new ProfileFormatError(`trace event ${i} (${ev.name}) has no timestamp`);
  });
  return events as TraceEvent[];
}
