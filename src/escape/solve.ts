// The solver (Go 1.19 walkAll/walkOne/outlives): repeatedly walks backwards from a root
// location, computing the minimal deref count to every location that can reach it. A
// location whose *address* reaches something that outlives it must be heap allocated; a
// parameter reaching the heap or a result records a leak in its tag. Each location flips
// "escapes" and "transient" at most once, so the work list terminates.

import { Batch, Location, explainLoc, flowStep, traceFlow, type FlowStep } from './graph.js';
import { emptyLeaks, numEscResults, type FuncInfo } from './types.js';

export function walkAll(b: Batch): void {
  const todo: Location[] = [];
  const enqueue = (loc: Location) => {
    if (!loc.queued) {
      todo.push(loc);
      loc.queued = true;
    }
  };
  for (const loc of b.allLocs) enqueue(loc);
  enqueue(b.heapLoc);
  let walkgen = 0;
  while (todo.length > 0) {
    const root = todo.pop()!;
    root.queued = false;
    walkgen++;
    walkOne(b, root, walkgen, enqueue);
  }
}

function walkOne(b: Batch, root: Location, walkgen: number, enqueue: (l: Location) => void): void {
  root.walkgen = walkgen;
  root.derefs = 0;
  root.dst = null;
  const todo: Location[] = [root];
  while (todo.length > 0) {
    const l = todo.pop()!;
    let derefs = l.derefs;
    const addressOf = derefs < 0;
    if (addressOf) {
      derefs = 0;
      if (!root.transient && l.transient) {
        l.transient = false;
        enqueue(l);
      }
    }
    if (outlives(b, root, l)) {
      if (l.isParam()) {
        if (!l.escapes && b.trace) {
          b.trace.push({
            file: l.file,
            pos: l.pos,
            text: `parameter ${l.label} leaks to ${explainLoc(root)} with derefs=${derefs}:`,
          });
          tracePath(b, root, l);
        }
        if (!l.escapes && !l.explanation) l.explanation = explainPath(root, l);
        leakTo(l, root, derefs);
      }
      if (addressOf && !l.escapes) {
        if (b.trace) {
          b.trace.push({ file: l.file, pos: l.pos, text: `${l.label} escapes to heap:` });
          tracePath(b, root, l);
        }
        l.explanation = explainPath(root, l);
        l.escapes = true;
        enqueue(l);
        continue;
      }
    }
    for (let i = 0; i < l.edges.length; i++) {
      const edge = l.edges[i]!;
      if (edge.src.escapes) continue;
      const d = derefs + edge.derefs;
      if (edge.src.walkgen !== walkgen || edge.src.derefs > d) {
        edge.src.walkgen = walkgen;
        edge.src.derefs = d;
        edge.src.dst = l;
        edge.src.dstEdgeIdx = i;
        todo.push(edge.src);
      }
    }
  }
}

function explainPath(root: Location, src: Location): FlowStep[] {
  const out: FlowStep[] = [];
  const seen = new Set<Location>();
  let s: Location = src;
  while (s.dst && !seen.has(s)) {
    seen.add(s);
    const dst = s.dst;
    const edge = dst.edges[s.dstEdgeIdx]!;
    out.push(flowStep(dst, s, edge.derefs, edge.notes));
    if (dst === root) break;
    s = dst;
  }
  return out;
}

/** Go's explainPath, printed: the flows from src back to the walk's root. */
function tracePath(b: Batch, root: Location, src: Location): void {
  const out = b.trace!;
  const seen = new Set<Location>();
  const { file, pos } = src;
  for (let s = src; ;) {
    if (seen.has(s)) {
      out.push({
        file,
        pos,
        text: '  warning: truncated explanation due to assignment cycle; see golang.org/issue/35518',
      });
      return;
    }
    seen.add(s);
    const dst = s.dst;
    if (!dst) return;
    const edge = dst.edges[s.dstEdgeIdx]!;
    traceFlow(out, file, pos, dst, s, edge.derefs, edge.notes);
    if (dst === root) return;
    s = dst;
  }
}

function leakTo(l: Location, sink: Location, derefs: number): void {
  if (!sink.escapes && sink.isResult() && sink.curfn === l.curfn) {
    const ri = sink.resultIndex - 1;
    if (ri < numEscResults) {
      add(l, 1 + ri, derefs);
      return;
    }
  }
  add(l, 0, derefs);
}

function add(l: Location, i: number, derefs: number): void {
  const esc = (l.paramEsc ??= emptyLeaks());
  const old = esc[i]!;
  if (old < 0 || derefs < old) esc[i] = Math.min(derefs, 254);
}

export function outlives(b: Batch, l: Location, other: Location): boolean {
  if (l.escapes) return true;
  if (l.isResult()) {
    if (other.curfn && l.curfn && containsClosure(other.curfn, l.curfn) && l.curfn.closureCalled) return false;
    return true;
  }
  if (l.curfn === other.curfn && l.loopDepth < other.loopDepth) return true;
  if (l.curfn && other.curfn && containsClosure(l.curfn, other.curfn)) return true;
  return false;
}

/** Whether c is a closure nested (at any depth) inside f. */
export function containsClosure(f: FuncInfo, c: FuncInfo): boolean {
  if (f === c) return false;
  for (let x = c.outer; x; x = x.outer) if (x === f) return true;
  return false;
}
