// Package initialisation: what of `var x = ...` at package level runs at run time, and in which
// order — Go's generated `init` function, which escape analysis sees like any other function.
//
// The compiler lays out statically whatever it can (staticinit): constants, nil, function
// literals without captures, addresses of globals, copies of other globals, and composite
// literals other than maps — including `&T{...}` and slice literals, whose storage becomes a
// static symbol. Only the remaining parts are assigned in `init`, each into package-level storage,
// i.e. into the heap: a map literal, a call, `new`, `make`, an operator... So a package-level
// `var x = &T{}` reports nothing, while `var m = map[K]V{}` or `var p = new(T)` escape.
//
// Order: variables are initialised in declaration order, except that one waits for the
// variables its initialiser refers to — directly or through the functions it calls — as Go's
// initorder does (the earliest declared variable that is ready goes next).

import { text, type Node } from './ast.js';
import type { Package } from './check.js';
import { under, type FuncInfo, type VarObj } from './types.js';

/** One assignment of the generated init: the variables it sets and the dynamic parts of their value. */
export interface InitAssign {
  vars: VarObj[];
  roots: Node[];
  /** Where Go places the assignment: the spec's first name. */
  at: Node;
}

/** The parts of a package-level initialiser that the compiler cannot lay out statically. */
export function dynamicParts(n: Node, out: Node[]): void {
  if (n.cval !== undefined) return;
  switch (n.kind) {
    case 'parenthesized_expression':
      if (n.kids.length === 1) dynamicParts(n.kids[0]!, out);
      else out.push(n);
      return;
    case 'nil':
    case 'func_literal':
    case 'identifier':
      return;
    case 'unary_expression': {
      const op = n.kids.find((k) => k.field === 'operator');
      const x = n.kids.find((k) => k.field === 'operand');
      if (op && x && text(op) === '&') {
        let inner = x;
        while (inner.kind === 'parenthesized_expression' && inner.kids.length === 1) inner = inner.kids[0]!;
        if (inner.kind === 'composite_literal') return literalParts(inner, out);
        if (inner.kind === 'identifier') return;
      }
      out.push(n);
      return;
    }
    case 'composite_literal':
      return literalParts(n, out);
    case 'call_expression':
    case 'type_conversion_expression':
      // []byte("constant") becomes static data.
      if (isConstBytes(n)) return;
      out.push(n);
      return;
    default:
      out.push(n);
  }
}

function isConstBytes(n: Node): boolean {
  if (n.role !== 'conv' && n.kind !== 'type_conversion_expression') return false;
  const t = n.type ? under(n.type) : undefined;
  if (t?.k !== 'slice' || under(t.elem).k !== 'basic' || (under(t.elem) as { name: string }).name !== 'uint8')
    return false;
  const args =
    n.kind === 'call_expression'
      ? n.kids.find((k) => k.field === 'arguments')?.kids
      : n.kids.filter((k) => k.field === 'operand');
  return args?.length === 1 && args[0]!.cval?.k === 'string';
}

function literalParts(lit: Node, out: Node[]): void {
  const t = lit.type;
  const ut = t ? under(t) : undefined;
  const base = ut?.k === 'pointer' ? ut.elem : t;
  if (!base || under(base).k === 'map') {
    out.push(lit);
    return;
  }
  const body = lit.kind === 'literal_value' ? lit : lit.kids.find((k) => k.field === 'body');
  if (!body) return;
  for (const el of body.kids) {
    const value = el.kind === 'keyed_element' ? el.kids.find((k) => k.field === 'value') : el;
    if (!value) continue;
    if (value.kind === 'literal_value') literalParts(value, out);
    else dynamicParts(value, out);
  }
}

/** The generated init's assignments, in Go's initialisation order. */
export function initAssignments(pkg: Package): InitAssign[] {
  const units: InitAssign[] = [];
  for (const spec of pkg.inits ?? []) {
    const at = spec.vars[0]!.decl!;
    // `var a, b = f()` is one assignment; `var a, b = x, y` one per variable.
    if (spec.values.length === 1 && spec.vars.length > 1) {
      const roots: Node[] = [];
      dynamicParts(spec.values[0]!, roots);
      if (roots.length) units.push({ vars: spec.vars, roots, at });
      continue;
    }
    spec.vars.forEach((v, i) => {
      const value = spec.values[i];
      if (!value) return;
      const roots: Node[] = [];
      dynamicParts(value, roots);
      if (roots.length) units.push({ vars: [v], roots, at });
    });
  }
  if (units.length < 2) return units;
  const owner = new Map<VarObj, InitAssign>();
  for (const u of units) for (const v of u.vars) owner.set(v, u);
  const refs = new Map<FuncInfo, Set<VarObj>>();
  const deps = new Map<InitAssign, Set<InitAssign>>();
  for (const u of units) {
    const seen = new Set<VarObj>();
    for (const r of u.roots) globalRefs(r, seen, refs, new Set());
    const d = new Set<InitAssign>();
    for (const v of seen) {
      const o = owner.get(v);
      if (o && o !== u) d.add(o);
    }
    deps.set(u, d);
  }
  const done = new Set<InitAssign>();
  const order: InitAssign[] = [];
  while (order.length < units.length) {
    let next = units.find((u) => !done.has(u) && [...deps.get(u)!].every((d) => done.has(d)));
    // A cycle (Go rejects it; here it cannot be fatal): take the earliest left.
    next ??= units.find((u) => !done.has(u))!;
    done.add(next);
    order.push(next);
  }
  return order;
}

/** Package variables an expression refers to, following calls into the package's functions. */
function globalRefs(n: Node, out: Set<VarObj>, memo: Map<FuncInfo, Set<VarObj>>, visiting: Set<FuncInfo>): void {
  const stack = [n];
  while (stack.length) {
    const x = stack.pop()!;
    const o = x.obj;
    if (o?.kind === 'var' && o.cls === 'global') out.add(o);
    else if (o?.kind === 'func') funcRefs(o.info, out, memo, visiting);
    if (x.kind === 'selector_expression' && (x.role === 'method' || x.role === 'methexpr') && x.data) {
      const fn = (x.data as { fn?: FuncInfo }).fn;
      if (fn) funcRefs(fn, out, memo, visiting);
    }
    for (const k of x.kids) stack.push(k);
  }
}

function funcRefs(fn: FuncInfo, out: Set<VarObj>, memo: Map<FuncInfo, Set<VarObj>>, visiting: Set<FuncInfo>): void {
  if (!fn.body || fn.external) return;
  let mine = memo.get(fn);
  if (!mine) {
    if (visiting.has(fn)) return;
    visiting.add(fn);
    mine = new Set();
    globalRefs(fn.body, mine, memo, visiting);
    visiting.delete(fn);
    memo.set(fn, mine);
  }
  for (const v of mine) out.add(v);
}
