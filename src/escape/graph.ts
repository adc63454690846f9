// The escape graph, as in Go 1.19's escape package: locations (variables, allocation sites,
// temporaries, and the {heap} and blank pseudo-locations), incoming edges that carry a deref
// count (−1 for &x, 0 for x, +1 for *x ...), and "holes" — where an expression's value goes,
// with the derefs applied so far and notes that explain the path for -m=2 and the report.

import { goPos, lineCol, type Node, type SourceFile } from './ast.js';
import { type FuncInfo, type Leaks, type Type, type VarObj } from './types.js';

export interface Note {
  /** Printed lazily: most notes are never shown. */
  where: string | (() => string);
  why: string;
  file: SourceFile | null;
  /** An offset, or the node whose Go position (ast.goPos) it is — computed only when printed. */
  pos: number | Node;
  next: Note | null;
}

function noteOffset(n: Note): number {
  return typeof n.pos === 'number' ? n.pos : goPos(n.pos);
}

export interface Edge {
  src: Location;
  derefs: number;
  notes: Note | null;
}

export type LocKind = 'var' | 'expr' | 'temp' | 'heap' | 'blank';

export interface FlowStep {
  dst: string;
  src: string;
  derefs: number;
  notes: { where: string; why: string; pos: string }[];
}

/** The `extra` of locations that are not sized allocations: shared, never written. */
const NO_EXTRA: Location['extra'] = Object.freeze({});

export class Location {
  edges: Edge[] = [];
  resultIndex = 0;
  derefs = 0;
  walkgen = 0;
  dst: Location | null = null;
  dstEdgeIdx = 0;
  queued = false;
  escapes = false;
  /** Parameters only: the leaks found so far (made on the first one; most locations never leak). */
  paramEsc: Leaks | null = null;
  captured = false;
  reassigned = false;
  addrtaken = false;
  /** Why the solver decided it escapes / leaks: the flow path, captured when it happened. */
  explanation: FlowStep[] | null = null;
  reason = '';
  /** Reports suppressed (compiler temporaries, go/defer wrappers). */
  silent = false;
  goDeferWrapper = false;
  constructor(
    readonly kind: LocKind,
    readonly label: string,
    readonly curfn: FuncInfo | null,
    public loopDepth: number,
    public transient: boolean,
    readonly file: SourceFile | null,
    readonly pos: number,
    readonly v: VarObj | null = null,
    readonly type: Type | null = null,
    /** What the allocation is, for HeapAllocReason and the report. */
    readonly op: string = '',
    readonly extra: { elemSize?: number; makeConst?: bigint | null; closureSize?: number } = NO_EXTRA,
  ) {}

  isParam(): boolean {
    return this.kind === 'var' && this.v?.cls === 'param';
  }
  isResult(): boolean {
    return this.kind === 'var' && this.v?.cls === 'result';
  }
}

export class Hole {
  constructor(
    readonly dst: Location,
    readonly derefs = 0,
    readonly notes: Note | null = null,
    readonly addrtaken = false,
  ) {}

  note(where: string | (() => string), why: string, file: SourceFile | null, pos: number | Node): Hole {
    return new Hole(this.dst, this.derefs, { where, why, file, pos, next: this.notes }, this.addrtaken);
  }
  shift(delta: number): Hole {
    return new Hole(this.dst, this.derefs + delta, this.notes, delta < 0);
  }
  deref(where: string | (() => string), why: string, file: SourceFile | null, pos: number | Node): Hole {
    return this.shift(1).note(where, why, file, pos);
  }
  addr(where: string | (() => string), why: string, file: SourceFile | null, pos: number | Node): Hole {
    return this.shift(-1).note(where, why, file, pos);
  }
}

/** One line of Go's -m=2 explanation, positioned at the location it explains. */
export interface TraceLine {
  file: SourceFile | null;
  pos: number;
  text: string;
}

export class Batch {
  allLocs: Location[] = [];
  /** -m=2: explanation lines in the order Go prints them; null when not asked for. */
  trace: TraceLine[] | null = null;
  readonly heapLoc = new Location('heap', '{heap}', null, 0, false, null, 0);
  readonly blankLoc = new Location('blank', '_', null, 0, false, null, 0);
  closures: { k: Hole; fn: FuncInfo; loc: Location }[] = [];
  constructor() {
    this.heapLoc.escapes = true;
  }

  heapHole(): Hole {
    return new Hole(this.heapLoc);
  }
  discardHole(): Hole {
    return new Hole(this.blankLoc);
  }

  flow(k: Hole, src: Location): void {
    if (k.addrtaken) src.addrtaken = true;
    const dst = k.dst;
    if (dst === this.blankLoc) return;
    if (dst === src && k.derefs >= 0) return;
    if (dst.escapes && k.derefs < 0) {
      if (this.trace) {
        this.trace.push({ file: src.file, pos: src.pos, text: `${src.label} escapes to heap:` });
        traceFlow(this.trace, src.file, src.pos, dst, src, k.derefs, k.notes);
      }
      if (!src.escapes) src.explanation = [flowStep(dst, src, k.derefs, k.notes)];
      src.escapes = true;
      return;
    }
    dst.edges.push({ src, derefs: k.derefs, notes: k.notes });
  }
}

export function flowStep(dst: Location, src: Location, derefs: number, notes: Note | null): FlowStep {
  const out: FlowStep['notes'] = [];
  for (let n = notes; n; n = n.next)
    out.push({
      where: typeof n.where === 'string' ? n.where : n.where(),
      why: n.why,
      pos: n.file ? notePos(n.file, noteOffset(n)) : '',
    });
  return { dst: explainLoc(dst), src: explainLoc(src), derefs, notes: out };
}

/** Go's explainFlow: "flow: dst = &src:" and one "from where (why) at pos" line per note. */
export function traceFlow(
  out: TraceLine[],
  file: SourceFile | null,
  pos: number,
  dst: Location,
  src: Location,
  derefs: number,
  notes: Note | null,
): void {
  const ops = derefs < 0 ? '&' : '*'.repeat(derefs);
  out.push({ file, pos, text: `  flow: ${explainLoc(dst)} = ${ops}${explainLoc(src)}:` });
  for (let n = notes; n; n = n.next) {
    out.push({
      file,
      pos,
      text: `    from ${typeof n.where === 'string' ? n.where : n.where()} (${n.why}) at ${n.file ? notePos(n.file, noteOffset(n)) : ''}`,
    });
  }
}

export function explainLoc(l: Location): string {
  if (l.kind === 'heap') return '{heap}';
  if (l.kind === 'temp') return '{temp}';
  if (l.kind === 'var') return l.label;
  return `{storage for ${l.label}}`;
}

function notePos(file: SourceFile, pos: number): string {
  const { line, col } = lineCol(file, pos);
  return `${file.name}:${line}:${col}`;
}
