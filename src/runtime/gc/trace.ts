// gctrace: one line per cycle in the format of Go's GODEBUG=gctrace=1, e.g.
//   gc 7 @0.034s 3%: 0.050+0.30+0.060 ms clock, 0.10+0.11/0.096/0.059+0.12 ms cpu, 3->3->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
// Fields: cycle number; seconds since the collector started; percent of time spent in GC so far;
// wall time of sweep termination (STW) + concurrent mark + mark termination (STW); CPU time of the
// same with mark split into assist/background/idle; heap at cycle start -> at mark end -> marked live;
// the goal; scope stacks and root handles scanned; Ps; "(forced)" for heap.gc().

import type { RuntimeTraceHook } from '../state.js';

export interface CycleTrace {
  num: number;
  sinceStartSec: number;
  gcPercentOfTime: number;
  stw1Ms: number;
  markMs: number;
  stw2Ms: number;
  assistMs: number;
  backgroundMs: number;
  idleMs: number;
  heapStart: number;
  heapEnd: number;
  heapMarked: number;
  goal: number;
  stackScan: number;
  globalsScan: number;
  procs: number;
  forced: boolean;
}

/** Go's fmtNSAsMS: milliseconds with about two significant digits. */
export function fmtMs(ms: number): string {
  const ns = Math.round(ms * 1e6);
  if (ns >= 10e6) return String(Math.floor(ns / 1e6));
  // Go prints ns/1e6 with 3 decimals for < 10ms, trimmed to two significant digits.
  let x = Math.floor(ns / 1000); // microseconds
  if (x === 0) return '0';
  let dec = 3;
  while (x >= 100) {
    x = Math.floor(x / 10);
    dec--;
  }
  const s = String(x).padStart(dec + 1, '0');
  const intPart = s.slice(0, s.length - dec) || '0';
  return dec === 0 ? intPart : `${intPart}.${s.slice(s.length - dec)}`;
}

const MB = 1 << 20;

export function formatTrace(t: CycleTrace): string {
  const mb = (b: number): number => Math.floor(b / MB);
  return (
    `gc ${t.num} @${t.sinceStartSec.toFixed(3)}s ${Math.floor(t.gcPercentOfTime)}%: ` +
    `${fmtMs(t.stw1Ms)}+${fmtMs(t.markMs)}+${fmtMs(t.stw2Ms)} ms clock, ` +
    `${fmtMs(t.stw1Ms)}+${fmtMs(t.assistMs)}/${fmtMs(t.backgroundMs)}/${fmtMs(t.idleMs)}+${fmtMs(t.stw2Ms)} ms cpu, ` +
    `${mb(t.heapStart)}->${mb(t.heapEnd)}->${mb(t.heapMarked)} MB, ${Number.isFinite(t.goal) ? mb(t.goal) : 0} MB goal, ` +
    `${mb(t.stackScan)} MB stacks, ${mb(t.globalsScan)} MB globals, ${t.procs} P` +
    (t.forced ? ' (forced)' : '')
  );
}

/**
 * One finished cycle as trace events, laid back from now: the cycle, then its sweep termination (STW),
 * mark and mark termination (STW) phases in order, the assist time within mark, and a heap counter.
 * The collector calls it at mark termination while a trace is on (heap.trace, see gomem/profile).
 */
export function emitGcCycle(
  hook: RuntimeTraceHook & {
    completeAt(name: string, start: number, end: number, args?: Record<string, number | string>): void;
  },
  c: Pick<
    CycleTrace,
    'num' | 'stw1Ms' | 'markMs' | 'stw2Ms' | 'assistMs' | 'heapStart' | 'heapEnd' | 'heapMarked' | 'goal' | 'forced'
  >,
): void {
  const end = hook.now();
  const markTermStart = end - c.stw2Ms;
  const markStart = markTermStart - c.markMs;
  const start = markStart - c.stw1Ms;
  const args = {
    cycle: c.num,
    forced: c.forced ? 1 : 0,
    heapStart: c.heapStart,
    heapEnd: c.heapEnd,
    heapMarked: c.heapMarked,
    goal: c.goal,
  };
  hook.completeAt('GC', start, end, args);
  hook.completeAt('GC sweep termination (STW)', start, markStart);
  hook.completeAt('GC mark', markStart, markTermStart);
  if (c.assistMs > 0) hook.completeAt('GC assists', markStart, Math.min(markTermStart, markStart + c.assistMs));
  hook.completeAt('GC mark termination (STW)', markTermStart, end);
  hook.counter('heap', { heapMarked: c.heapMarked, goal: c.goal });
}
