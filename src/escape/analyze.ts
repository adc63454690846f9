// The driver: type-checks a package, orders its functions bottom-up over the static call
// graph (strongly connected components are analysed together, callees first, so callers see
// finished parameter tags), runs one escape batch per component and turns the solved graph
// into Go's -m diagnostics plus a structured description of every heap allocation.

import { lineCol, text, type Node, type SourceFile } from './ast.js';
import { checkPackage, newProgram, type Package, type Program } from './check.js';
import { Batch, Hole, type FlowStep, type Location, type TraceLine } from './graph.js';
import { initAssignments, type InitAssign } from './init.js';
import { walkAll } from './solve.js';
import { Escape, STATE_PLANNED, STATE_TAGGED } from './walk.js';
import {
  emptyLeaks,
  hasPointers,
  newFuncInfo,
  numEscResults,
  sizeof,
  under,
  type FuncInfo,
  type Leaks,
} from './types.js';

export type MessageKind =
  | 'moved'
  | 'escapes'
  | 'noescape'
  | 'leak'
  | 'param-noescape'
  | 'self-assign'
  | 'uintptr'
  /** -m=2 only: explanation lines under an escape or leak, and closure capture decisions. */
  | 'explain';

export interface EscapeMessage {
  file: string;
  line: number;
  col: number;
  text: string;
  kind: MessageKind;
  func: string;
  /** For heap allocations: why, in the categories of the report. */
  reason?: Reason;
  /** The chain of flows that made it escape / leak. */
  flow?: FlowStep[];
}

export type Reason =
  | 'returned pointer'
  | 'interface conversion'
  | 'closure capture'
  | 'dynamic size or growth'
  | 'too large for the stack'
  | 'stored into something that escapes'
  | 'passed to a function that keeps it';

export interface PackageResult {
  packageName: string;
  messages: EscapeMessage[];
  /** With `explain`: everything Go's -m=2 prints, in its order (the -m messages included). */
  explained?: EscapeMessage[];
}

/** Entries of the -m=2 listing: explanation lines, or a -m message (kept only if not a duplicate). */
type TraceEntry = TraceLine | EscapeMessage;

let MaxStackVarSize = 10 * 1024 * 1024;
let MaxImplicitStackVarSize = 64 * 1024;

/** -smallframes lowers both stack limits (Go: 128 KiB and 16 KiB). */
export function setSmallFrames(on: boolean): void {
  MaxStackVarSize = on ? 128 * 1024 : 10 * 1024 * 1024;
  MaxImplicitStackVarSize = on ? 16 * 1024 : 64 * 1024;
}

export function analyzePackage(
  parse: (name: string, text: string) => SourceFile,
  files: SourceFile[],
  opts: { explain?: boolean } = {},
): PackageResult {
  const prog: Program = newProgram(parse);
  const pkg: Package = { name: 'p', path: 'p', scope: undefined as never, funcs: [], files, external: false };
  pkg.scope = new (prog.universe.constructor as { new (p: unknown): Package['scope'] })(prog.universe);
  prog.packages.set('p', pkg);
  checkPackage(prog, pkg, files);
  const messages: EscapeMessage[] = [];
  const trace: TraceEntry[] | null = opts.explain ? [] : null;
  for (const scc of bottomUp(pkg.funcs)) runBatch(scc, messages, trace);
  // Go compiles the generated init after every declared function.
  const initAssigns = initAssignments(pkg);
  if (initAssigns.length) runBatch([initFunction(initAssigns)], messages, trace);
  const kept = dedupe(messages);
  if (!trace) return { packageName: pkg.name, messages: kept };
  const keep = new Set(kept);
  const explained: EscapeMessage[] = [];
  for (const t of trace) {
    if ('kind' in t) {
      if (keep.has(t)) explained.push(t);
    } else if (t.file) explained.push(msg(t.file, t.pos, t.text, 'explain', ''));
  }
  return { packageName: pkg.name, messages: kept, explained };
}

function initFunction(initAssigns: InitAssign[]): FuncInfo {
  const fn = newFuncInfo('init');
  fn.initAssigns = initAssigns;
  return fn;
}

function dedupe(ms: EscapeMessage[]): EscapeMessage[] {
  const seen = new Set<string>();
  return ms.filter((m) => {
    const k = `${m.file}:${m.line}:${m.col}:${m.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Tarjan's SCCs over the static call graph; emitted callees-first. */
function bottomUp(funcs: FuncInfo[]): FuncInfo[][] {
  const local = new Set(funcs);
  const edges = new Map<FuncInfo, FuncInfo[]>();
  for (const f of funcs) {
    const out: FuncInfo[] = [];
    // The checker's references, in the order a depth-first walk of the body that visits later
    // children first would meet them (Tarjan's order, and so the batch order, depends on it):
    // by end offset, descending — a method selector ends after everything in its operand.
    if (f.refs) {
      const refs = f.refs.slice().sort((a, b) => b.end - a.end);
      for (const x of refs) {
        const fn =
          x.kind === 'selector_expression'
            ? (x.data as { fn?: FuncInfo }).fn
            : x.obj?.kind === 'func'
              ? x.obj.info
              : undefined;
        if (fn && local.has(fn)) out.push(fn);
      }
    }
    edges.set(f, out);
  }
  const index = new Map<FuncInfo, number>();
  const low = new Map<FuncInfo, number>();
  const onStack = new Set<FuncInfo>();
  const stack: FuncInfo[] = [];
  const result: FuncInfo[][] = [];
  let counter = 0;
  const strong = (v: FuncInfo) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: FuncInfo[] = [];
      let w: FuncInfo;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      result.push(scc.reverse());
    }
  };
  for (const f of funcs) if (!index.has(f)) strong(f);
  return result;
}

function runBatch(fns: FuncInfo[], messages: EscapeMessage[], trace: TraceEntry[] | null): void {
  const b = new Batch();
  if (trace) b.trace = [];
  const selfMsgs: { file: SourceFile; pos: number; text: string }[] = [];
  const escapes: Escape[] = [];
  const all: FuncInfo[] = [];
  const addAll = (f: FuncInfo) => {
    all.push(f);
    for (const c of f.closures) addAll(c);
  };
  for (const f of fns) addAll(f);
  // Closures belong to their enclosing function's batch from the start (Go's initFunc).
  for (const fn of all) {
    fn.state = STATE_PLANNED;
    const e = new Escape(b, fn, selfMsgs);
    for (const v of fn.dcl) e.varLoc(v);
    for (const r of fn.results) if (r.loc) (r.loc as Location).resultIndex = r.resultIndex;
    if (!fn.outer) escapes.push(e);
  }
  for (const e of escapes) e.walkFunc();
  // Go prints self-assignments while walking; they are placed after the walk's own lines here.
  const walked = b.trace ? b.trace.length : 0;
  for (const c of b.closures) flowClosure(b, c as { k: Hole; fn: FuncInfo | null; loc: Location; vars?: Location[] });
  for (const loc of b.allLocs) {
    const why = heapAllocReason(loc);
    if (why) {
      loc.reason = why;
      b.flow(b.heapHole().addr(loc.label, why, loc.file, loc.pos), loc);
    }
  }
  walkAll(b);
  const first = messages.length;
  for (const m of selfMsgs) messages.push(msg(m.file, m.pos, m.text, 'self-assign', ''));
  if (trace && b.trace) {
    trace.push(...b.trace.slice(0, walked), ...messages.slice(first), ...b.trace.slice(walked));
  }
  const finished = messages.length;
  for (const fn of all) paramTags(fn, messages);
  for (const loc of b.allLocs) {
    if (loc.silent || !loc.file) continue;
    const fname = loc.curfn?.name ?? '';
    if (loc.kind === 'var') {
      if (loc.escapes && loc.v && loc.v.name && !loc.v.name.startsWith('~')) {
        messages.push({
          ...msg(loc.file, loc.pos, `moved to heap: ${loc.label}`, 'moved', fname),
          reason: classify(loc),
          flow: loc.explanation ?? [],
        });
      }
    } else if (loc.kind === 'expr' && !loc.goDeferWrapper) {
      if (loc.escapes)
        messages.push({
          ...msg(loc.file, loc.pos, `${loc.label} escapes to heap`, 'escapes', fname),
          reason: classify(loc),
          flow: loc.explanation ?? [],
        });
      else messages.push(msg(loc.file, loc.pos, `${loc.label} does not escape`, 'noescape', fname));
    }
  }
  for (const f of all) {
    f.state = STATE_TAGGED;
    // The batch is solved and tagged: cut the variables' links into its graph, so that its
    // locations, holes and edges become garbage now rather than living (and being copied by
    // the GC) until the whole package is done — callers only read the tags.
    for (const v of f.dcl) v.loc = undefined;
    for (const v of f.params) v.loc = undefined;
    for (const v of f.results) v.loc = undefined;
    if (f.recv) f.recv.loc = undefined;
  }
  if (trace) trace.push(...messages.slice(finished));
}

function msg(file: SourceFile, pos: number, textS: string, kind: MessageKind, func: string): EscapeMessage {
  const { line, col } = lineCol(file, pos);
  return { file: file.name, line, col, text: textS, kind, func };
}

function flowClosure(b: Batch, c: { k: Hole; fn: FuncInfo | null; loc: Location; vars?: Location[] }): void {
  const locs: Location[] = c.vars ?? (c.fn ? c.fn.closureVars.map((v) => v.loc as Location).filter(Boolean) : []);
  for (const loc of locs) {
    const size = loc.type ? sizeof(loc.type) : 8;
    const byval = !loc.addrtaken && !loc.reassigned && size <= 128;
    if (b.trace && loc.v) {
      const how = byval ? 'value' : 'ref';
      b.trace.push({
        file: loc.file,
        pos: loc.pos,
        text: `${loc.v.fn?.name ?? ''} capturing by ${how}: ${loc.label} (addr=${loc.addrtaken} assign=${loc.reassigned} width=${size})`,
      });
    }
    let k = c.k;
    const use = (loc.v && c.fn?.closureVarUse?.get(loc.v)) || loc.pos;
    if (!byval) k = k.addr(loc.label, 'reference', loc.file, use);
    b.flow(k.note(loc.label, 'captured by a closure', loc.file, use), loc);
  }
}

function heapAllocReason(loc: Location): string {
  if (loc.kind === 'var') {
    if (!loc.v || loc.v.cls === 'param' || loc.v.cls === 'result') return '';
    if (loc.type && sizeof(loc.type) > MaxStackVarSize) return 'too large for stack';
    return '';
  }
  if (loc.kind !== 'expr') return '';
  const x = loc.extra;
  switch (loc.op) {
    case 'new':
    case 'ptrlit':
      return (x.elemSize ?? 0) > MaxImplicitStackVarSize ? 'too large for stack' : '';
    case 'closure':
    case 'methvalue':
      return (x.closureSize ?? 0) > MaxImplicitStackVarSize ? 'too large for stack' : '';
    case 'makeslice': {
      if (x.makeConst === null || x.makeConst === undefined) return 'non-constant size';
      const es = x.elemSize ?? 0;
      if (es !== 0 && x.makeConst > BigInt(Math.floor(MaxImplicitStackVarSize / es))) return 'too large for stack';
      return '';
    }
    default:
      return '';
  }
}

function paramTags(fn: FuncInfo, messages: EscapeMessage[]): void {
  const all = fn.recv ? [fn.recv, ...fn.params] : fn.params;
  const tags: (Leaks | null)[] = [];
  const quiet = isGeneric(fn);
  const diag = (v: { decl: Node | null }, s: string, kind: MessageKind) => {
    if (v.decl && !quiet) messages.push(msg(v.decl.file, v.decl.start, s, kind, fn.name));
  };
  const lastIdx = all.length - 1;
  all.forEach((p, i) => {
    const t = p.type;
    const name = p.name;
    const named = !!name && name !== '_';
    const isUintptr = under(t).k === 'basic' && (under(t) as { name: string }).name === 'uintptr';
    if (!fn.body) {
      if (isUintptr) {
        if (p.decl) diag(p, `assuming ${name} is unsafe uintptr`, 'uintptr');
        tags.push(null);
        return;
      }
      if (!hasPointers(t)) return void tags.push(null);
      const l = new Array(1 + numEscResults).fill(-1) as Leaks;
      if (fn.pragmas.has('go:noescape')) {
        if (named) diag(p, `${name} does not escape`, 'param-noescape');
      } else {
        if (named) diag(p, `leaking param: ${name}`, 'leak');
        l[0] = 0;
      }
      tags.push(l);
      return;
    }
    if (fn.pragmas.has('go:uintptrescapes')) {
      if (isUintptr) {
        diag(p, `marking ${name} as escaping uintptr`, 'uintptr');
        return void tags.push(null);
      }
      const ut = under(t);
      if (
        i === lastIdx &&
        fn.sig.variadic &&
        ut.k === 'slice' &&
        under(ut.elem).k === 'basic' &&
        (under(ut.elem) as { name: string }).name === 'uintptr'
      ) {
        diag(p, `marking ${name} as escaping ...uintptr`, 'uintptr');
        return void tags.push(null);
      }
    }
    if (!hasPointers(t)) return void tags.push(null);
    if (!named) return void tags.push(new Array(1 + numEscResults).fill(-1));
    const loc = p.loc as Location | undefined;
    if (!loc) return void tags.push(null);
    const esc = loc.paramEsc ? [...loc.paramEsc] : emptyLeaks();
    if (esc[0]! >= 0) for (let r = 0; r < numEscResults; r++) if (esc[1 + r]! >= esc[0]!) esc[1 + r] = -1;
    tags.push(esc);
    if (loc.escapes) return;
    const flow = loc.explanation ?? [];
    if (quiet) return;
    if (esc.every((x) => x < 0)) diag(p, `${name} does not escape`, 'param-noescape');
    if (esc[0]! >= 0) {
      const m = esc[0] === 0 ? `leaking param: ${name}` : `leaking param content: ${name}`;
      if (p.decl) messages.push({ ...msg(p.decl.file, p.decl.start, m, 'leak', fn.name), flow });
    }
    for (let r = 0; r < numEscResults; r++) {
      const x = esc[1 + r]!;
      if (x >= 0 && p.decl) {
        messages.push({
          ...msg(
            p.decl.file,
            p.decl.start,
            `leaking param: ${name} to result ${fn.results[r]?.name ?? '~r' + r} level=${x}`,
            'leak',
            fn.name,
          ),
          flow,
        });
      }
    }
  });
  fn.tags = tags;
}

function isGeneric(fn: FuncInfo): boolean {
  for (let f: FuncInfo | null = fn; f; f = f.outer) if (f.generic) return true;
  return false;
}

function classify(loc: Location): Reason {
  if (loc.reason === 'non-constant size') return 'dynamic size or growth';
  if (loc.reason) return 'too large for the stack';
  if (loc.op === 'iface') return 'interface conversion';
  const steps = loc.explanation ?? [];
  const whys = steps.flatMap((s) => s.notes.map((n) => n.why));
  if (whys.includes('captured by a closure') || whys.includes('reference')) return 'closure capture';
  if (
    whys.includes('return') ||
    steps.some((s) => /^~r\d|^[a-zA-Z_]\w*$/.test(s.dst) && s.dst !== '{heap}' && isResultName(s.dst, loc))
  )
    return 'returned pointer';
  if (whys.includes('appendee slice') || whys.includes('appended slice...') || whys.includes('copied slice'))
    return 'dynamic size or growth';
  if (whys.includes('interface-converted')) return 'interface conversion';
  if (whys.includes('call parameter')) return 'passed to a function that keeps it';
  return 'stored into something that escapes';
}

function isResultName(name: string, loc: Location): boolean {
  return !!loc.curfn?.results.some((r) => r.name === name);
}

export { text };
