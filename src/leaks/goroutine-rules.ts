// Goroutine leaks: one (blocking primitive, user frame) pair holding many goroutines, growing
// between snapshots. The primitive comes from the runtime frames of a debug=0 profile
// (chanrecv1 = `<-ch`, chanrecv2 = `for range ch`/`v, ok := <-ch`, chansend1 = `ch <- v`,
// selectgo = select, semacquire/notifyListWait = sync locks), from the debug=2 state
// ("chan receive", "select", "semacquire", ...), or for debug=1 (which hides runtime frames)
// from naming its raw PCs with the symbol table of a debug=0 or heap profile of the same binary.
// A stable pool of parked workers is not a leak: without growth we only speak up for very large
// populations, and then with low confidence.
import { formatStack, frameKey, userFrame } from './frames.js';
import { round } from './stats.js';
import type { Confidence, Finding, Frame, GoroutineGroup, GoroutineSnapshot, LeakKind } from './types.js';

export type Primitive = 'recv' | 'range' | 'send' | 'select' | 'lock';

const kindOf: Record<Primitive, LeakKind> = {
  recv: 'goroutine-blocked-recv',
  range: 'goroutine-range-unclosed',
  send: 'goroutine-blocked-send',
  select: 'goroutine-blocked-select',
  lock: 'goroutine-blocked-lock',
};

export const goroutineFixes: Record<Primitive, string> = {
  recv: 'Nothing ever sends on or closes the channel this goroutine waits on. Give the wait a way out: pass a context and select on ctx.Done() (context.WithTimeout/WithCancel at the caller), or close the channel when its owner is done.',
  range:
    'The goroutine ranges over a channel that is never closed. The sending side must close(ch) when it has sent its last value (defer close(ch) in the producer), or the loop must also stop on ctx.Done().',
  send: 'Nobody receives this send after the caller gave up (timeout or early return). Make the channel buffered (make(chan T, 1)) so the send always completes, or select on ctx.Done() next to the send; cancel the context when the caller returns.',
  select:
    "None of this select's cases ever becomes ready. Add a `case <-ctx.Done(): return` with a context that is cancelled or has a timeout, and close the quit/done channel when the owner shuts down.",
  lock: 'The goroutines wait for a lock that is never released: some path returns while holding it. Pair every Lock with `defer Unlock()` right after it (check early returns and error paths); for WaitGroup/Cond make Done/Signal unconditional.',
};

const runtimeMarkers: Array<[RegExp, Primitive, string]> = [
  [/^runtime\.chanrecv1$/, 'recv', 'runtime.chanrecv1'],
  [/^runtime\.chanrecv2$/, 'range', 'runtime.chanrecv2'],
  [/^runtime\.chansend1$/, 'send', 'runtime.chansend1'],
  [/^runtime\.selectgo$/, 'select', 'runtime.selectgo'],
  [/^runtime\.block$/, 'select', 'runtime.block'],
  [/^sync\.runtime_(Semacquire\w*|notifyListWait)$/, 'lock', ''],
  [/^sync\.\(\*(RW)?Mutex\)\.R?Lock/, 'lock', ''],
  [/^sync\.\(\*(WaitGroup|Cond)\)\.Wait$/, 'lock', ''],
];

function primitiveFromFunctions(names: readonly string[]): { primitive: Primitive; call: string } | undefined {
  for (const name of names) {
    for (const [re, primitive, call] of runtimeMarkers) if (re.test(name)) return { primitive, call: call || name };
  }
  return undefined;
}

const waitReasons: Array<[RegExp, Primitive]> = [
  [/^chan receive/, 'recv'],
  [/^chan send/, 'send'],
  [/^select/, 'select'],
  [/^(semacquire|sync\.(RW)?Mutex\.R?Lock|sync\.Cond\.Wait|sync\.WaitGroup\.Wait)/, 'lock'],
];

interface Classified {
  primitive: Primitive;
  call: string;
  /** True when the primitive had to be guessed (debug=1 without a symbol table). */
  uncertain: boolean;
}

function classifyGroup(
  g: GoroutineGroup,
  format: GoroutineSnapshot['format'],
  symbols: Map<number, string>,
): Classified | undefined {
  const user = userFrame(g.stack);
  const userIndex = user ? g.stack.indexOf(user) : g.stack.length;
  const leading = g.stack.slice(0, userIndex).map((f) => f.function);
  if (format === 'debug=0') {
    const p = primitiveFromFunctions(leading);
    return p && { ...p, uncertain: false };
  }
  if (format === 'debug=2') {
    const byFrames = primitiveFromFunctions(leading);
    if (byFrames) return { ...byFrames, uncertain: false };
    const reason = g.waitReason ?? '';
    const hit = waitReasons.find(([re]) => re.test(reason));
    return hit && { primitive: hit[1], call: `[${reason}]`, uncertain: hit[1] === 'recv' };
  }
  // debug=1: sync frames are printed; runtime ones only survive as PCs.
  const shown = primitiveFromFunctions(leading);
  if (shown) return { ...shown, uncertain: false };
  // The hidden runtime frames are the first PCs (return addresses, hence the -1 lookup).
  const pcs = g.pcs ?? [];
  const hidden = pcs.length - g.stack.length - 1;
  const hiddenNames = pcs.slice(0, Math.max(0, hidden)).map((pc) => symbols.get(pc - 1) ?? symbols.get(pc));
  const fromPcs = primitiveFromFunctions(hiddenNames.filter((n): n is string => n !== undefined));
  if (fromPcs) return { ...fromPcs, uncertain: false };
  if (hiddenNames.length > 0 && hiddenNames.every((n) => n !== undefined)) return undefined; // named, and not blocking
  // Unnamed: count them. gopark+selectgo is two frames; every channel operation is three.
  if (hidden === 2) return { primitive: 'select', call: 'hidden runtime frames (2)', uncertain: true };
  if (hidden === 3) return { primitive: 'recv', call: 'hidden runtime frames (3)', uncertain: true };
  return undefined;
}

interface Track {
  kind: LeakKind;
  primitive: Primitive;
  user: Frame;
  call: string;
  uncertain: boolean;
  counts: number[];
  stack: Frame[];
  waitReason?: string;
  waitMinutes?: number;
  createdBy?: Frame;
}

export interface GoroutineAnalysis {
  findings: Finding[];
  /** Functions on the leaking stacks and their creators, to fold the heap they pin into these findings. */
  leakFunctions: Map<Finding, { functions: Set<string>; growth: number }>;
  timeline: GoroutineSnapshot[];
  totals: number[];
  seconds?: number;
  notes: string[];
  growing: Array<{ label: string; values: number[]; stack: string[] }>;
}

/** Picks the snapshots that form the timeline: debug=0 by time, else debug=2, else debug=1 (in the given order). */
function pickTimeline(snaps: GoroutineSnapshot[]): GoroutineSnapshot[] {
  for (const format of ['debug=0', 'debug=2', 'debug=1'] as const) {
    const chosen = snaps.filter((s) => s.format === format);
    if (chosen.length > 0)
      return format === 'debug=0' ? [...chosen].sort((a, b) => (a.timeNanos ?? 0) - (b.timeNanos ?? 0)) : chosen;
  }
  return [];
}

export function analyzeGoroutines(
  snaps: GoroutineSnapshot[],
  symbols: Map<number, string>,
  stackBytesPerGoroutine: number,
): GoroutineAnalysis {
  const timeline = pickTimeline(snaps);
  const notes: string[] = [];
  const allSymbols = new Map(symbols);
  for (const s of snaps) for (const [k, v] of s.symbols ?? []) allSymbols.set(k, v);

  // Annotations from the other encodings, keyed by the user frame.
  const annotations = new Map<
    string,
    { waitReason?: string; waitMinutes?: number; createdBy?: Frame; primitive?: Classified }
  >();
  for (const s of snaps) {
    if (timeline.includes(s)) continue;
    for (const g of s.groups) {
      const user = userFrame(g.stack);
      if (!user) continue;
      const a = annotations.get(frameKey(user)) ?? {};
      if (g.waitReason) a.waitReason = g.waitReason;
      if (g.waitMinutes !== undefined) a.waitMinutes = Math.max(a.waitMinutes ?? 0, g.waitMinutes);
      if (g.createdBy) a.createdBy = g.createdBy;
      if (s.format === 'debug=0') a.primitive = classifyGroup(g, s.format, allSymbols);
      annotations.set(frameKey(user), a);
    }
  }

  const tracks = new Map<string, Track>();
  timeline.forEach((snap, i) => {
    for (const g of snap.groups) {
      const user = userFrame(g.stack);
      if (!user) continue;
      const note = annotations.get(frameKey(user));
      let c = classifyGroup(g, snap.format, allSymbols);
      if (c?.uncertain && note?.primitive && !note.primitive.uncertain) c = note.primitive;
      if (!c) continue;
      const key = `${c.primitive} ${frameKey(user)}`;
      let t = tracks.get(key);
      if (!t) {
        t = {
          kind: kindOf[c.primitive],
          primitive: c.primitive,
          user,
          call: c.call,
          uncertain: c.uncertain,
          counts: timeline.map(() => 0),
          stack: g.stack,
        };
        tracks.set(key, t);
      }
      t.counts[i]! += g.count;
      const waitReason = g.waitReason ?? note?.waitReason;
      if (waitReason) t.waitReason = waitReason;
      const minutes = g.waitMinutes ?? note?.waitMinutes;
      if (minutes !== undefined) t.waitMinutes = Math.max(t.waitMinutes ?? 0, minutes);
      const createdBy = g.createdBy ?? note?.createdBy;
      if (createdBy) t.createdBy = createdBy;
    }
  });

  const totals = timeline.map((s) => s.total);
  const times = timeline.map((s) => s.timeNanos ?? 0);
  const seconds =
    times.length >= 2 && times.every((t) => t > 0) ? (times[times.length - 1]! - times[0]!) / 1e9 : undefined;
  const findings: Finding[] = [];
  const leakFunctions = new Map<Finding, { functions: Set<string>; growth: number }>();
  const growing: GoroutineAnalysis['growing'] = [];
  for (const t of tracks.values()) {
    const first = t.counts[0]!;
    const last = t.counts[t.counts.length - 1]!;
    const growth = last - first;
    const n = t.counts.length;
    let confidence: Confidence | undefined;
    if (n >= 2 && growth >= 10 && growth >= 0.2 * first) {
      const monotonic = t.counts.every((c, i) => i === 0 || c >= t.counts[i - 1]!);
      confidence = growth >= 50 && monotonic ? 'high' : 'medium';
    } else if (n >= 2 && last >= 1000) confidence = 'low';
    else if (n === 1 && last >= 100) confidence = (t.waitMinutes ?? 0) >= 5 ? 'medium' : 'low';
    if (!confidence) continue;
    if (t.uncertain) confidence = confidence === 'high' ? 'medium' : 'low';
    const stackBytes = last * stackBytesPerGoroutine;
    const evidence: Finding['evidence'] = {
      goroutinesFirst: first,
      goroutinesLast: last,
      growth,
      snapshots: n,
      shareOfGoroutines: round(last / Math.max(1, totals[totals.length - 1]!), 3),
      blockedIn: t.call,
      stackBytesEstimate: Math.round(stackBytes),
    };
    if (seconds) evidence.growthPerSecond = round(growth / seconds, 1);
    if (t.waitReason) evidence.waitReason = t.waitReason;
    if (t.waitMinutes !== undefined) evidence.waitMinutesMax = t.waitMinutes;
    if (t.createdBy) evidence.createdBy = frameKey(t.createdBy);
    if (t.uncertain) evidence.primitiveUncertain = true;
    evidence.stack = formatStack(t.stack);
    const verb = {
      recv: 'blocked receiving from a channel',
      range: 'ranging over a channel that is never closed',
      send: 'blocked sending on a channel',
      select: 'blocked in a select that never fires',
      lock: 'blocked acquiring a lock',
    }[t.primitive];
    const finding: Finding = {
      kind: t.kind,
      function: t.user.function,
      file: t.user.file,
      line: t.user.line,
      confidence,
      evidence,
      fix:
        goroutineFixes[t.primitive] +
        (t.createdBy
          ? ` These goroutines are started by ${t.createdBy.function} (${t.createdBy.file}:${t.createdBy.line}).`
          : ''),
      title: `${last} goroutines ${verb} in ${t.user.function}` + (n >= 2 ? ` (+${growth} over ${n} snapshots)` : ''),
      impactBytes: stackBytes,
    };
    findings.push(finding);
    const functions = new Set(t.stack.map((f) => f.function));
    if (t.createdBy) functions.add(t.createdBy.function);
    leakFunctions.set(finding, { functions, growth });
    growing.push({ label: `${t.kind} ${t.user.function}`, values: t.counts, stack: formatStack(t.stack) });
  }
  if (timeline.length > 0 && timeline[0]!.format === 'debug=1' && findings.some((f) => f.evidence.primitiveUncertain)) {
    notes.push(
      'debug=1 goroutine dumps hide the runtime frames that name the blocking operation; add the debug=0 or debug=2 profile for a certain classification.',
    );
  }
  return { findings, leakFunctions, timeline, totals, ...(seconds !== undefined ? { seconds } : {}), notes, growing };
}
