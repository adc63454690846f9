// The pacer: Go's heap goal and trigger (Go 1.19's gcControllerState.commit / trigger, §7.11 of the
// reference), as pure functions of the last cycle's measurements, so tests can check the numbers.
//
//   goal (GOGC)   = heapMarked + (heapMarked + stackScan + globalsScan) × GOGC/100, at least 4 MiB × GOGC/100
//   goal (limit)  = limit − nonHeap − overage − 1 MiB headroom, at least heapMarked
//   goal          = the smaller of the two; GOGC = -1 and no limit → never
//   trigger       = goal − runway, clamped to [marked + 45/64 of the gap, marked + 61/64 of the gap]
//                   (or goal − 4 MiB when that is higher), runway = consMark × 3 × last scan work
// Here "stack scan" is the scope stacks and "globals" the root handles: what the collector scans
// besides the heap, as Go counts goroutine stacks and data/BSS.

export const HEAP_MINIMUM = 4 << 20;
const MEMORY_LIMIT_HEADROOM = 1 << 20;
const TRIGGER_RATIO_MIN = 45;
const TRIGGER_RATIO_MAX = 61;
const BACKGROUND_UTILIZATION = 0.25;

export interface PacerInput {
  gcPercent: number;
  memoryLimit: number;
  heapMarked: number;
  stackScan: number;
  globalsScan: number;
  lastHeapScan: number;
  consMark: number;
  /** For the memory-limit goal: bytes mapped and not released, idle heap bytes, heap object bytes. */
  mappedReady: number;
  heapFree: number;
  heapAlloc: number;
}

export interface PacerOutput {
  goal: number;
  trigger: number;
  gcPercentGoal: number;
  memoryLimitGoal: number;
}

export function gcPercentHeapGoal(i: PacerInput): number {
  if (i.gcPercent < 0) return Infinity;
  const goal = i.heapMarked + Math.floor(((i.heapMarked + i.stackScan + i.globalsScan) * i.gcPercent) / 100);
  return Math.max(goal, Math.floor((HEAP_MINIMUM * i.gcPercent) / 100));
}

export function memoryLimitHeapGoal(i: PacerInput): number {
  if (!Number.isFinite(i.memoryLimit)) return Infinity;
  const nonHeap = i.mappedReady - i.heapFree - i.heapAlloc;
  const overage = Math.max(i.mappedReady - i.memoryLimit, 0);
  if (nonHeap + overage >= i.memoryLimit) return i.heapMarked;
  let goal = i.memoryLimit - nonHeap - overage;
  if (goal < 2 * MEMORY_LIMIT_HEADROOM) goal = MEMORY_LIMIT_HEADROOM;
  else goal -= MEMORY_LIMIT_HEADROOM;
  return Math.max(goal, i.heapMarked);
}

export function pace(i: PacerInput): PacerOutput {
  const gcPercentGoal = gcPercentHeapGoal(i);
  const memoryLimitGoal = memoryLimitHeapGoal(i);
  const goal = Math.min(gcPercentGoal, memoryLimitGoal);
  return { goal, trigger: triggerFor(i, goal, gcPercentGoal <= memoryLimitGoal), gcPercentGoal, memoryLimitGoal };
}

/** Go's trigger(): where the next cycle starts, given the goal. */
export function triggerFor(i: PacerInput, goal: number, gcPercentRegime: boolean): number {
  if (!Number.isFinite(goal)) return Infinity;
  if (i.heapMarked >= goal) return goal;
  const gap = goal - i.heapMarked;
  let minTrigger = i.heapMarked + Math.floor(gap / 64) * TRIGGER_RATIO_MIN;
  if (!gcPercentRegime) minTrigger = Math.max(i.heapMarked, minTrigger);
  let maxTrigger = i.heapMarked + Math.floor(gap / 64) * TRIGGER_RATIO_MAX;
  if (goal > HEAP_MINIMUM && goal - HEAP_MINIMUM > maxTrigger) maxTrigger = goal - HEAP_MINIMUM;
  maxTrigger = Math.max(maxTrigger, minTrigger);
  const runway = Math.floor(
    ((i.consMark * (1 - BACKGROUND_UTILIZATION)) / BACKGROUND_UTILIZATION) *
      (i.lastHeapScan + i.stackScan + i.globalsScan),
  );
  if (runway > goal) return minTrigger;
  return Math.min(Math.max(goal - runway, minTrigger), maxTrigger);
}

/**
 * Go's assist ratio (revise): scan work owed per byte allocated, so marking finishes by the goal.
 * Returns [assistWorkPerByte, assistBytesPerWork].
 */
export function assistRatio(
  heapLive: number,
  goal: number,
  triggered: number,
  expectedWork: number,
  maxWork: number,
  workDone: number,
  gcPercent: number,
): [number, number] {
  let g = goal;
  let expected = expectedWork;
  // No history yet (the first cycle) counts as "more work than expected": assume all of it may be live.
  if (workDone > expected || expected === 0) {
    g = triggered + ((goal - triggered) / Math.max(expected, 1)) * maxWork;
    if (gcPercent >= 0) g = Math.min(g, (1 + gcPercent / 100) * goal);
    expected = maxWork;
  }
  if (heapLive > g) {
    g *= 1.1;
    expected = maxWork;
  }
  const remainingWork = Math.max(expected - workDone, 1000);
  const remainingHeap = Math.max(g - heapLive, 1);
  return [remainingWork / remainingHeap, remainingHeap / remainingWork];
}

/** Go's endCycle estimate of the allocation/scan rate ratio for the cycle just finished. */
export function consMarkEstimate(
  heapLive: number,
  triggered: number,
  assistMs: number,
  markMs: number,
  scanWork: number,
): number {
  if (markMs <= 0 || scanWork <= 0) return 0;
  const u = BACKGROUND_UTILIZATION + assistMs / markMs;
  if (u >= 1) return 0;
  return ((heapLive - triggered) * u) / (scanWork * (1 - u));
}
