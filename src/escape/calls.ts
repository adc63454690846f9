// Calls (Go 1.19 call.go): arguments flow according to the callee's parameter tags, straight
// into the callee's parameter locations when it is in the batch being analysed (recursion,
// closures), or to the heap when the callee is unknown (func values, interface methods).
// Builtins are hard-wired. go/defer wrap their call in a compiler-generated closure whose
// captured temporaries hold the evaluated arguments — which is why `go f(x)` leaks x's value.

import { child, text, type Node } from './ast.js';
import { unparen, type CallInfo } from './check-expr.js';
import { lookupFieldOrMethod, type Selection } from './check.js';
import { Hole, type Location } from './graph.js';
import { printExpr } from './print.js';
import { externalTags } from './stdlib-tags.js';
import {
  emptyLeaks,
  hasPointers,
  isInterface,
  numEscResults,
  sizeof,
  typeString,
  under,
  type FuncInfo,
  type Leaks,
  type Type,
  type VarObj,
} from './types.js';
import { STATE_PLANNED, receiverExpr, type Escape, type ReceiverExpr } from './walk.js';

export function inMutualBatch(fn: FuncInfo): boolean {
  return fn.state === STATE_PLANNED;
}

/** Leak tag of parameter i (−1 = receiver) of a function analysed earlier or summarised. */
export function paramLeaks(fn: FuncInfo, i: number): Leaks {
  if (!fn.tags) fn.tags = fn.external !== undefined || !fn.body ? externalTags(fn) : [];
  const idx = fn.recv ? i + 1 : i;
  const t = fn.tags[idx];
  if (t) return t;
  const l = emptyLeaks();
  l[0] = 0;
  return l;
}

export function tagHoleFor(e: Escape, ks: Hole[] | null, fn: FuncInfo | null, i: number): Hole {
  if (!fn) return e.b.heapHole();
  if (inMutualBatch(fn)) {
    const v: VarObj | null | undefined = i < 0 ? fn.recv : fn.params[i];
    if (!v || !v.name || v.name === '_') return e.b.discardHole();
    const loc = e.oldLoc(v);
    return loc ? new Hole(loc) : e.b.discardHole();
  }
  const esc = paramLeaks(fn, i);
  const tagKs: Hole[] = [];
  if (esc[0]! >= 0) tagKs.push(e.b.heapHole().shift(esc[0]!));
  if (ks) {
    for (let r = 0; r < numEscResults; r++) {
      const x = esc[1 + r]!;
      if (x >= 0 && ks[r]) tagKs.push(ks[r]!.shift(x));
    }
  }
  return e.teeHole(tagKs);
}

interface WrapState {
  tmps: Location[];
}

let wrapState: WrapState | null = null;

function isTrivialArg(n: Node): boolean {
  const m = unparen(n);
  if (n.implicit) return false;
  if (m.cval !== undefined || m.kind === 'nil') return true;
  if (m.kind === 'identifier' && m.obj?.kind === 'func') return true;
  if (m.kind === 'selector_expression' && (m.role === 'methexpr' || (m.role === 'pkgmember' && m.obj?.kind === 'func')))
    return true;
  return false;
}

/** Evaluates one argument into k; inside a go/defer wrapper it is first copied to a captured temporary. */
/** `call` is null for the elements of an implicit `...` slice (the slice itself is the parameter). */
function argument(e: Escape, k: Hole, n: Node, call: Node | null): void {
  const kk = call ? k.note(() => printExpr(call), 'call parameter', call.file, call) : k;
  if (wrapState && !isTrivialArg(n)) {
    const tmp = e.newLoc('var', '.autotmp', n.file, n.start, false, { type: n.implicit?.to ?? n.type });
    tmp.silent = true;
    e.expr(new Hole(tmp), n);
    tmp.captured = true;
    wrapState.tmps.push(tmp);
    e.b.flow(kk, tmp);
    return;
  }
  e.expr(kk, n);
}

function receiverArgument(e: Escape, k: Hole, r: ReceiverExpr): void {
  if (wrapState) {
    const tmp = e.newLoc('var', '.autotmp', r.base.file, r.base.start, false, { type: r.base.type });
    tmp.silent = true;
    e.evalReceiver(new Hole(tmp), r);
    tmp.captured = true;
    wrapState.tmps.push(tmp);
    e.b.flow(k, tmp);
    return;
  }
  e.evalReceiver(k, r);
}

/**
 * Go's devirtualization pass (before escape analysis, even with -l): an interface method call
 * on a variable whose only value is a conversion from a concrete type T becomes a call on
 * x.(T) — a static method call, or, when T gets the method from an embedded interface, an
 * interface call on that field ("partially devirtualizing").
 */
function devirtualize(
  e: Escape,
  call: Node,
  sel: Node,
  s: Selection,
): { recv: ReceiverExpr; fn: FuncInfo | null } | null {
  if (s.kind !== 'imethod' || s.steps.length > 0) return null;
  const base = child(sel, 'operand')!;
  const value = staticValueNode(base);
  if (!value) return null;
  let concrete: Type | undefined;
  if (value.implicit && value.type && !isInterface(value.type)) concrete = value.type;
  else if (value.role === 'conv' && value.type && isInterface(value.type)) {
    const x =
      value.kind === 'type_conversion_expression' ? child(value, 'operand')! : child(value, 'arguments')?.kids[0];
    if (x?.type && !isInterface(x.type)) concrete = x.type;
  }
  if (!concrete) return null;
  const name = text(child(sel, 'field')!);
  const m = lookupFieldOrMethod(concrete, name);
  if (!m || m.kind === 'field') return null;
  const argList = child(call, 'arguments');
  const pos = argList ? argList.start : call.start;
  const ts = typeString(concrete);
  if (m.kind === 'imethod') {
    e.selfAssignMsgs.push({ file: call.file, pos, text: `partially devirtualizing ${printExpr(sel)} to ${ts}` });
    const last = m.steps[m.steps.length - 1];
    const onPtr = last ? under(last.field.type).k === 'pointer' : false;
    return { recv: { base, steps: m.steps, addr: false, deref: onPtr, dotType: concrete }, fn: null };
  }
  if (m.fn.pointerRecv && !m.basePtr && m.steps.length === 0) return null;
  e.selfAssignMsgs.push({ file: call.file, pos, text: `devirtualizing ${printExpr(sel)} to ${ts}` });
  let onPtr: boolean;
  if (m.steps.length === 0) onPtr = under(concrete).k === 'pointer';
  else onPtr = under(m.steps[m.steps.length - 1]!.field.type).k === 'pointer';
  const wantPtr = !!m.fn.pointerRecv;
  return {
    recv: { base, steps: m.steps, addr: wantPtr && !onPtr, deref: !wantPtr && onPtr, dotType: concrete },
    fn: m.fn,
  };
}

function staticValueNode(n: Node, depth = 0): Node | null {
  const m = unparen(n);
  if (m.kind !== 'identifier') return depth > 0 ? m : null;
  const o = m.obj;
  if (o?.kind !== 'var' || o.cls !== 'auto' || o.addrTaken || o.assigns > 0 || !o.defn || depth > 10)
    return depth > 0 ? m : null;
  const d = o.defn;
  let names: Node[];
  let values: Node[];
  if (d.kind === 'short_var_declaration') {
    names = child(d, 'left')!.kids;
    values = child(d, 'right')!.kids;
  } else if (d.kind === 'var_spec') {
    names = d.kids.filter((k) => k.field === 'name');
    values = child(d, 'value')?.kids ?? [];
  } else return null;
  if (names.length !== values.length) return null;
  const i = names.findIndex((x) => x.obj === o);
  if (i < 0) return null;
  const v = values[i]!;
  if (v.implicit) return v;
  return staticValueNode(v, depth + 1);
}

/** Go's ir.StaticValue: a local assigned exactly once with a function. */
function staticCallee(n: Node, depth = 0): FuncInfo | null {
  const m = unparen(n);
  if (m.kind === 'func_literal') return (m.data as { fn: FuncInfo }).fn;
  if (m.kind === 'identifier') {
    const o = m.obj;
    if (o?.kind === 'func') return o.info;
    if (o?.kind !== 'var' || o.cls !== 'auto' || o.addrTaken || o.assigns > 0 || !o.defn || depth > 10) return null;
    const d = o.defn;
    let names: Node[];
    let values: Node[];
    if (d.kind === 'short_var_declaration') {
      names = child(d, 'left')!.kids;
      values = child(d, 'right')!.kids;
    } else if (d.kind === 'var_spec') {
      names = d.kids.filter((k) => k.field === 'name');
      values = child(d, 'value')?.kids ?? [];
    } else return null;
    if (names.length !== values.length) return null;
    const i = names.findIndex((x) => x.obj === o);
    if (i < 0) return null;
    return staticCallee(values[i]!, depth + 1);
  }
  if (m.kind === 'selector_expression') {
    if (m.role === 'pkgmember' && m.obj?.kind === 'func') return m.obj.info;
    if (m.role === 'methexpr' && m.data) return (m.data as { fn: FuncInfo }).fn;
  }
  return null;
}

export function call(e: Escape, ks: Hole[] | null, n: Node): void {
  if (n.role === 'builtin') {
    builtinCall(e, ks, n);
    return;
  }
  const info = n.data as CallInfo | undefined;
  const fnNode = child(n, 'function')!;
  const inner = unparen(fnNode);
  if (!info) return;
  let fn: FuncInfo | null = null;
  let recv: ReceiverExpr | null = null;
  switch (info.kind) {
    case 'closure':
      fn = (inner.data as { fn: FuncInfo }).fn;
      fn.closureCalled = true;
      break;
    case 'func':
      fn = info.fn ?? null;
      break;
    case 'value':
      fn = staticCallee(inner);
      break;
    case 'method':
      fn = info.fn ?? null;
      recv = receiverExpr(inner, info.sel as Selection);
      break;
    case 'imethod': {
      const dv = devirtualize(e, n, inner, info.sel as Selection);
      if (dv) {
        recv = dv.recv;
        fn = dv.fn;
      } else recv = receiverExpr(inner, info.sel as Selection);
      break;
    }
  }
  if (ks && fn && inMutualBatch(fn)) {
    fn.results.forEach((r, i) => {
      const loc = e.oldLoc(r);
      if (ks[i] && loc) e.b.flow(ks[i]!, loc);
    });
  }
  if (recv)
    receiverArgument(
      e,
      tagHoleFor(e, ks, fn, -1).note(() => printExpr(n), 'call parameter', n.file, n),
      recv,
    );
  else if (wrapState && !isTrivialArg(fnNode)) argument(e, e.b.discardHole(), fnNode, n);
  else e.expr(e.b.discardHole(), fnNode);
  const sig = info.sig;
  let args = info.args;
  if (!sig) {
    for (const a of args) argument(e, e.b.heapHole(), a, n);
    return;
  }
  // Method expression T.M(recv, args...): the first argument is the receiver.
  let firstParam = 0;
  if (info.kind === 'func' && fn?.recv && inner.role === 'methexpr') {
    if (args[0]) argument(e, tagHoleFor(e, ks, fn, -1), args[0], n);
    args = args.slice(1);
    firstParam = 1;
  }
  const params = sig.params.slice(firstParam);
  const hole = (i: number) => (fn ? tagHoleFor(e, ks, fn, i) : e.b.heapHole());
  if (args.length === 1 && params.length > 1 && args[0]!.type?.k === 'tuple') {
    const holes = params.map((_, i) => hole(i));
    call(e, holes, unparen(args[0]!));
    return;
  }
  const np = params.length;
  for (let i = 0; i < np; i++) {
    if (sig.variadic && i === np - 1 && !info.ddd) {
      const extra = args.slice(np - 1);
      if (extra.length === 0) continue;
      const argList = child(n, 'arguments')!;
      const k = e.spill(
        hole(i).note(() => printExpr(n), 'call parameter', n.file, n),
        n,
        '... argument',
        'slicelit',
        {},
        argList.start,
        params[i],
      );
      for (const a of extra)
        argument(e, k.note('... argument', 'slice-literal-element', n.file, argList.start), a, null);
      continue;
    }
    const a = args[i];
    if (a) argument(e, hole(i), a, n);
  }
  for (let i = np; i < args.length && !sig.variadic; i++) argument(e, e.b.heapHole(), args[i]!, n);
}

function builtinCall(e: Escape, ks: Hole[] | null, n: Node): void {
  const { name, args, ddd } = n.data as { name: string; args: Node[]; ddd: boolean };
  const k0 = ks?.[0] ?? e.b.discardHole();
  const discard = () => e.b.discardHole();
  switch (name) {
    case 'append': {
      const s = args[0];
      if (!s) return;
      const st = s.type ? under(s.type) : undefined;
      let appendeeK = k0;
      if (st?.k === 'slice' && hasPointers(st.elem))
        appendeeK = e.teeHole([k0, e.b.heapHole().deref(() => printExpr(n), 'appendee slice', n.file, n)]);
      argument(e, appendeeK, s, n);
      if (ddd) {
        const a = args[1];
        if (!a) return;
        const at = a.type ? under(a.type) : undefined;
        let k = discard();
        if (at?.k === 'slice' && hasPointers(at.elem))
          k = e.b.heapHole().deref(() => printExpr(n), 'appended slice...', n.file, n);
        argument(e, k, a, n);
      } else for (const a of args.slice(1)) argument(e, e.b.heapHole(), a, n);
      return;
    }
    case 'copy': {
      if (args[0]) argument(e, discard(), args[0], n);
      const y = args[1];
      if (!y) return;
      const yt = y.type ? under(y.type) : undefined;
      let k = discard();
      if (yt?.k === 'slice' && hasPointers(yt.elem))
        k = e.b.heapHole().deref(() => printExpr(n), 'copied slice', n.file, n);
      argument(e, k, y, n);
      return;
    }
    case 'panic':
      if (args[0]) argument(e, e.b.heapHole(), args[0], n);
      return;
    case 'new': {
      const t = n.type && n.type.k === 'pointer' ? n.type.elem : undefined;
      e.spill(k0, n, printExpr(n), 'new', { elemSize: t ? sizeof(t) : 0 });
      return;
    }
    case 'make': {
      const t = n.type ? under(n.type) : undefined;
      if (t?.k === 'slice') {
        const sizeArg = args[2] ?? args[1];
        const c = sizeArg?.cval;
        const makeConst = c?.k === 'int' && c.v >= -(2n ** 31n) && c.v < 2n ** 31n ? c.v : null;
        e.spill(k0, n, printExpr(n), 'makeslice', { elemSize: sizeof(t.elem), makeConst });
        for (const a of args.slice(1)) e.discard(a);
      } else if (t?.k === 'map') {
        e.spill(k0, n, printExpr(n), 'makemap');
        for (const a of args.slice(1)) e.discard(a);
      } else for (const a of args.slice(1)) e.discard(a);
      return;
    }
    case 'unsafe.Add':
    case 'unsafe.Slice':
      if (args[0]) argument(e, k0, args[0], n);
      if (args[1]) argument(e, discard(), args[1], n);
      return;
    case 'unsafe.Sizeof':
    case 'unsafe.Alignof':
    case 'unsafe.Offsetof':
      return;
    default:
      for (const a of args) argument(e, discard(), a, n);
  }
}

/** `go f(x)` / `defer f(x)`. */
export function goDefer(e: Escape, s: Node): void {
  const isDefer = s.kind === 'defer_statement';
  let k = e.b.heapHole();
  if (isDefer && e.loopDepth === 1) k = e.later(e.b.discardHole());
  const c = unparen(s.kids[0]!);
  if (c.kind !== 'call_expression' || c.role === 'conv') {
    e.discard(c);
    return;
  }
  const info = c.data as CallInfo | undefined;
  if (
    c.role === 'call' &&
    info &&
    (info.kind === 'func' || info.kind === 'value' || info.kind === 'closure') &&
    info.sig &&
    info.sig.params.length + info.sig.results.length === 0 &&
    !(info.kind === 'func' && info.fn?.recv)
  ) {
    e.expr(k, child(c, 'function')!);
    return;
  }
  const saved = wrapState;
  const ws: WrapState = { tmps: [] };
  wrapState = ws;
  try {
    call(e, null, c);
  } finally {
    wrapState = saved;
  }
  const loc = e.newLoc('expr', 'func literal', s.file, s.start, true, {
    type: { k: 'func', sig: { params: [], paramNames: [], results: [], variadic: false } } as Type,
    op: 'closure',
    extra: { closureSize: 8 + ws.tmps.length * 8 },
  });
  loc.goDeferWrapper = true;
  e.b.flow(k.addr('go/defer', 'spill', s.file, s.start), loc);
  e.b.closures.push({ k: new Hole(loc), fn: null as unknown as FuncInfo, loc, vars: ws.tmps } as never);
}

export { text };
