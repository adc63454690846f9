// Expression checking: computes each expression's type (and constant value), decides what
// ambiguous syntax means (tree-sitter cannot tell `T(x)` from `f(x)`), resolves selectors
// through embedded fields, and records where Go inserts implicit conversions to interface
// types: assignments, call arguments (including the implicit `...` slice), returns,
// composite-literal elements, channel sends and map keys.

import { child, children, goPos, text, type Node } from './ast.js';
import { lookupFieldOrMethod, packageMember, packageType, resolveType, type Ctx, type Selection } from './check.js';
import { checkClosure } from './check-stmt.js';
import {
  T,
  defaultType,
  identical,
  isInterface,
  isUntyped,
  under,
  type ConstValue,
  type FuncInfo,
  type Obj,
  type Signature,
  type Type,
  type VarObj,
} from './types.js';

export interface CallInfo {
  sig: Signature | null;
  /** `f(xs...)` */
  ddd: boolean;
  kind: 'func' | 'method' | 'imethod' | 'value' | 'closure';
  fn?: FuncInfo;
  sel?: Selection;
  args: Node[];
}

export function exprType(c: Ctx, n: Node, expected?: Type): Type {
  if (n.type) return n.type;
  if (n.kind === 'binary_expression') {
    // Long operator chains (generated tables) would overflow the stack: type the left spine bottom-up.
    const spine: Node[] = [];
    for (let x = child(n, 'left'); x && x.kind === 'binary_expression' && !x.type; x = child(x, 'left')) spine.push(x);
    for (let i = spine.length - 1; i >= 0; i--) spine[i]!.type = exprInner(c, spine[i]!);
  }
  const t = exprInner(c, n, expected);
  n.type = t;
  return t;
}

export function constExpr(c: Ctx, n: Node): { type: Type; value: ConstValue | undefined } {
  const t = exprType(c, n);
  return { type: t, value: n.cval };
}

/** Checks `n` as a value assigned to `target`, recording an implicit interface conversion. */
export function assignTo(c: Ctx, n: Node, target: Type | undefined, at: number): Type {
  const t = exprType(c, n, target);
  if (!target || target.k === 'unknown') {
    if (isUntyped(t) && !(t.k === 'basic' && t.name === 'untyped nil')) n.type = defaultType(t);
    return n.type!;
  }
  if (isInterface(target) && !isInterface(t) && !(t.k === 'basic' && t.name === 'untyped nil') && t.k !== 'tuple') {
    if (isUntyped(t)) n.type = defaultType(t);
    n.implicit = { to: target, at: at < 0 ? goPos(n) : at };
  } else if (isUntyped(t) && !(t.k === 'basic' && t.name === 'untyped nil')) {
    n.type = target;
  }
  return n.type!;
}

/** If `n` denotes a type, returns it. */
export function typeOfTypeExpr(c: Ctx, n: Node): Type | undefined {
  switch (n.kind) {
    case 'identifier':
    case 'type_identifier': {
      const o = c.scope.lookup(text(n));
      return o?.kind === 'type' ? o.type : undefined;
    }
    case 'selector_expression':
    case 'qualified_type': {
      const op = n.kind === 'qualified_type' ? child(n, 'package')! : child(n, 'operand')!;
      if (op.kind !== 'identifier' && op.kind !== 'package_identifier') return undefined;
      const o = c.scope.lookup(text(op));
      if (o?.kind !== 'pkg') return undefined;
      const nm = text(n.kind === 'qualified_type' ? child(n, 'name')! : child(n, 'field')!);
      if (o.path === 'unsafe') return nm === 'Pointer' ? T.unsafePointer : undefined;
      const m = packageMember(c, o.path, nm);
      if (m?.kind === 'type') return m.type;
      if (!m && /^[A-Z]/.test(nm) && n.kind === 'qualified_type') return packageType(c, o.path, nm);
      return undefined;
    }
    case 'parenthesized_expression':
    case 'parenthesized_type':
      return n.kids.length === 1 ? typeOfTypeExpr(c, n.kids[0]!) : undefined;
    case 'unary_expression': {
      if (text(child(n, 'operator')!) !== '*') return undefined;
      const e = typeOfTypeExpr(c, child(n, 'operand')!);
      return e ? { k: 'pointer', elem: e } : undefined;
    }
    case 'pointer_type':
    case 'slice_type':
    case 'array_type':
    case 'map_type':
    case 'channel_type':
    case 'function_type':
    case 'struct_type':
    case 'interface_type':
    case 'implicit_length_array_type':
    case 'generic_type':
      return resolveType(c, n);
    default:
      return undefined;
  }
}

/** Constant values are never modified, so the short literals (0, 1, 8, 0xff, ...) that make up
 *  most of them share one value each (at most 10^4 texts, so the table stays small). */
const smallInts = new Map<string, ConstValue>();

function intConst(v: bigint): ConstValue {
  return { k: 'int', v };
}

function exprInner(c: Ctx, n: Node, expected?: Type): Type {
  switch (n.kind) {
    case 'int_literal': {
      const src = text(n);
      let v = smallInts.get(src);
      if (!v) {
        const s = src.replace(/_/g, '');
        try {
          v = intConst(BigInt(/^0[0-7]+$/.test(s) ? '0o' + s.slice(1) : s.replace(/^0o/i, '0o')));
        } catch {
          v = intConst(0n);
        }
        if (src.length <= 4) smallInts.set(src, v);
      }
      n.cval = v;
      return T.untypedInt;
    }
    case 'float_literal':
      n.cval = { k: 'float', v: Number(text(n).replace(/_/g, '')) };
      return T.untypedFloat;
    case 'imaginary_literal':
      return T.untypedComplex;
    case 'rune_literal':
      n.cval = intConst(BigInt(runeValue(text(n))));
      return T.untypedRune;
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      n.cval = { k: 'string', v: stringValue(text(n)) };
      return T.untypedString;
    case 'true':
    case 'false':
      n.cval = { k: 'bool', v: n.kind === 'true' };
      return T.untypedBool;
    case 'nil':
      return T.untypedNil;
    case 'iota':
      n.cval = intConst(c.iota ?? 0n);
      return T.untypedInt;
    case 'identifier':
      return identType(c, n);
    case 'parenthesized_expression': {
      const t = exprType(c, n.kids[0]!, expected);
      n.cval = n.kids[0]!.cval;
      return t;
    }
    case 'selector_expression':
      return selectorType(c, n);
    case 'index_expression': {
      const xt = exprType(c, child(n, 'operand')!);
      const idx = child(n, 'index');
      const u = under(xt);
      if (u.k === 'map') {
        if (idx) assignTo(c, idx, u.key, idx.start);
        return u.elem;
      }
      if (idx) exprType(c, idx);
      if (u.k === 'slice' || u.k === 'array') return u.elem;
      if (u.k === 'pointer' && under(u.elem).k === 'array') return (under(u.elem) as { elem: Type }).elem;
      if (u.k === 'basic' && (u.name === 'string' || u.name === 'untyped string')) return T.uint8;
      if (u.k === 'func') {
        n.role = 'instantiate';
        return xt;
      }
      return T.unknown;
    }
    case 'slice_expression': {
      const xt = exprType(c, child(n, 'operand')!);
      for (const f of ['start', 'end', 'capacity']) {
        const e = child(n, f);
        if (e) exprType(c, e);
      }
      const u = under(xt);
      if (u.k === 'array') return { k: 'slice', elem: u.elem };
      if (u.k === 'pointer' && under(u.elem).k === 'array')
        return { k: 'slice', elem: (under(u.elem) as { elem: Type }).elem };
      if (u.k === 'basic' && u.name === 'untyped string') return T.string;
      return xt;
    }
    case 'type_assertion_expression': {
      exprType(c, child(n, 'operand')!);
      return resolveType(c, child(n, 'type')!);
    }
    case 'type_conversion_expression': {
      const t = resolveType(c, child(n, 'type')!);
      n.role = 'conv';
      const x = child(n, 'operand')!;
      convertOperand(c, n, x, t);
      return t;
    }
    case 'call_expression':
      return callType(c, n, expected);
    case 'unary_expression':
      return unaryType(c, n);
    case 'binary_expression':
      return binaryType(c, n);
    case 'composite_literal':
      return compositeType(c, n, expected);
    case 'func_literal':
      return checkClosure(c, n);
    default:
      return T.unknown;
  }
}

function runeValue(s: string): number {
  const body = s.slice(1, -1);
  if (!body.startsWith('\\')) return body.codePointAt(0) ?? 0;
  const e = body[1]!;
  const simple: Record<string, number> = {
    n: 10,
    t: 9,
    r: 13,
    a: 7,
    b: 8,
    f: 12,
    v: 11,
    '\\': 92,
    "'": 39,
    '"': 34,
    '0': 0,
  };
  if (e === 'x' || e === 'u' || e === 'U') return parseInt(body.slice(2), 16);
  if (/[0-7]/.test(e)) return parseInt(body.slice(1), 8);
  return simple[e] ?? 0;
}

function stringValue(s: string): string {
  if (s.startsWith('`')) return s.slice(1, -1).replace(/\r/g, '');
  if (!s.includes('\\')) return s.slice(1, -1);
  try {
    return JSON.parse(
      s
        .replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1')
        .replace(/\\U([0-9a-fA-F]{8})/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
        .replace(/\\([0-7]{3})/g, (_, o: string) => '\\u00' + parseInt(o, 8).toString(16).padStart(2, '0'))
        .replace(/\\a/g, '\\u0007')
        .replace(/\\v/g, '\\u000b')
        .replace(/\\'/g, "'"),
    ) as string;
  } catch {
    return s.slice(1, -1);
  }
}

function identType(c: Ctx, n: Node): Type {
  const name = text(n);
  if (name === '_') return T.unknown;
  const o = c.scope.lookup(name);
  if (!o) return T.unknown;
  n.obj = o;
  switch (o.kind) {
    case 'var':
      noteCapture(c, o, n);
      return o.type;
    case 'const':
      n.cval = o.value;
      return o.type;
    case 'func':
      noteRef(c, n);
      return { k: 'func', sig: o.info.sig };
    case 'nil':
      return T.untypedNil;
    case 'type':
      return o.type;
    default:
      return T.unknown;
  }
}

/**
 * Records a reference to a function or method (which may be this package's) for the call
 * graph of analyze.ts, on the top-level function whose body it is in: the checker reaches each
 * such node exactly once, which saves walking every body again afterwards.
 */
function noteRef(c: Ctx, n: Node): void {
  let top = c.fn;
  if (!top) return;
  while (top.outer) top = top.outer;
  (top.refs ??= []).push(n);
}

/** A use of an outer function's variable inside a closure makes it a captured variable of every closure in between. */
function noteCapture(c: Ctx, v: VarObj, use: Node): void {
  if (!v.fn || !c.fn || v.fn === c.fn) return;
  for (let f: FuncInfo | null = c.fn; f && f !== v.fn; f = f.outer) {
    if (!f.closureVars.includes(v)) {
      f.closureVars.push(v);
      (f.closureVarUse ??= new Map()).set(v, use);
    }
  }
}

function selectorType(c: Ctx, n: Node): Type {
  const op = child(n, 'operand')!;
  const name = text(child(n, 'field')!);
  // An identifier operand is looked up once and that answer reused for "is it a type?".
  let opObj: Obj | undefined;
  if (op.kind === 'identifier') {
    const o = (opObj = c.scope.lookup(text(op)));
    if (o?.kind === 'pkg') {
      op.obj = o;
      n.role = 'pkgmember';
      if (o.path === 'unsafe') {
        n.data = { unsafe: name };
        return name === 'Pointer' ? T.unsafePointer : T.unknown;
      }
      const m = packageMember(c, o.path, name);
      if (!m) {
        n.data = { external: `${o.path}.${name}` };
        return T.unknown;
      }
      n.obj = m;
      if (m.kind === 'var') return m.type;
      if (m.kind === 'const') {
        n.cval = m.value;
        return m.type;
      }
      if (m.kind === 'func') return { k: 'func', sig: m.info.sig };
      if (m.kind === 'type') return m.type;
      return T.unknown;
    }
  }
  // Method expression T.M / (*T).M
  const tt = op.kind === 'identifier' ? (opObj?.kind === 'type' ? opObj.type : undefined) : typeOfTypeExpr(c, op);
  if (tt) {
    const sel = lookupFieldOrMethod(tt, name);
    n.role = 'methexpr';
    if (sel?.kind === 'method') {
      n.data = sel;
      noteRef(c, n);
      const sig = sel.fn.sig;
      return {
        k: 'func',
        sig: { ...sig, params: [tt, ...sig.params], paramNames: ['', ...sig.paramNames], recv: undefined },
      };
    }
    return T.unknown;
  }
  const xt = exprType(c, op);
  const sel = lookupFieldOrMethod(xt, name);
  if (!sel) return T.unknown;
  n.data = sel;
  if (sel.kind === 'field') {
    n.role = 'field';
    return sel.type;
  }
  n.role = sel.kind === 'method' ? 'method' : 'imethod';
  if (sel.kind === 'method') noteRef(c, n);
  return { k: 'func', sig: sel.kind === 'method' ? sel.fn.sig : sel.sig };
}

/**
 * `(*pkg.T)(x)` with pkg.T unknown to the stubs: only a type fits there, so it converts to a
 * pointer to an opaque pkg.T (a pointer, so no allocation when it becomes an interface).
 */
function importedPointerConv(c: Ctx, fnNode: Node): Type | undefined {
  if (fnNode.kind !== 'parenthesized_expression') return undefined;
  const star = unparen(fnNode);
  if (star.kind !== 'unary_expression' || text(child(star, 'operator')!) !== '*') return undefined;
  const sel = unparen(child(star, 'operand')!);
  if (sel.kind !== 'selector_expression') return undefined;
  const op = child(sel, 'operand')!;
  if (op.kind !== 'identifier') return undefined;
  const o = c.scope.lookup(text(op));
  const name = text(child(sel, 'field')!);
  if (o?.kind !== 'pkg' || o.path === 'unsafe' || !/^[A-Z]/.test(name) || packageMember(c, o.path, name))
    return undefined;
  return { k: 'pointer', elem: packageType(c, o.path, name) };
}

function convertOperand(c: Ctx, conv: Node, x: Node, t: Type): void {
  const xt = exprType(c, x, t);
  if (x.cval && !isInterface(t)) {
    conv.cval = convertConst(x.cval, t);
    if (isUntyped(xt)) x.type = under(t).k === 'basic' ? t : defaultType(xt);
  } else if (isUntyped(xt) && !(xt.k === 'basic' && xt.name === 'untyped nil')) {
    x.type = defaultType(xt);
  }
}

function convertConst(v: ConstValue, t: Type): ConstValue | undefined {
  const u = under(t);
  if (u.k !== 'basic') return undefined;
  if (u.name === 'string' && v.k === 'int') return { k: 'string', v: String.fromCodePoint(Number(v.v)) };
  if (u.name === 'string') return v.k === 'string' ? v : undefined;
  if (/int|uintptr/.test(u.name) && v.k === 'float') return intConst(BigInt(Math.trunc(v.v)));
  if (/float/.test(u.name) && v.k === 'int') return { k: 'float', v: Number(v.v) };
  return v;
}

function callType(c: Ctx, n: Node, expected?: Type): Type {
  const fnNode = child(n, 'function')!;
  const argList = child(n, 'arguments');
  const rawArgs = argList ? argList.kids : [];
  const ddd = rawArgs.some((a) => a.kind === 'variadic_argument');
  // Without `...` the argument nodes are the list's own kids (shared, never modified).
  const args = ddd ? rawArgs.map((a) => (a.kind === 'variadic_argument' ? a.kids[0]! : a)) : rawArgs;
  const at = argList ? argList.start : n.start;
  // Conversion? (A plain name is looked up once for both questions.)
  const fnObj = fnNode.kind === 'identifier' ? c.scope.lookup(text(fnNode)) : undefined;
  const convT =
    fnNode.kind === 'identifier'
      ? fnObj?.kind === 'type'
        ? fnObj.type
        : undefined
      : (typeOfTypeExpr(c, fnNode) ?? importedPointerConv(c, fnNode));
  if (convT && args.length === 1) {
    n.role = 'conv';
    convertOperand(c, n, args[0]!, convT);
    return convT;
  }
  if (fnNode.kind === 'identifier') {
    const o = fnObj;
    if (o?.kind === 'builtin') {
      fnNode.obj = o;
      n.role = 'builtin';
      n.data = { name: o.name, args, ddd };
      return builtinType(c, o.name, args, ddd, at, expected);
    }
  }
  if (fnNode.kind === 'selector_expression') {
    const op = child(fnNode, 'operand')!;
    if (op.kind === 'identifier' && text(op) === 'unsafe' && c.scope.lookup('unsafe')?.kind === 'pkg') {
      const name = text(child(fnNode, 'field')!);
      n.role = 'builtin';
      n.data = { name: 'unsafe.' + name, args, ddd };
      for (const a of args) exprType(c, a);
      if (name === 'Sizeof' || name === 'Alignof' || name === 'Offsetof') {
        return T.uintptr;
      }
      if (name === 'Add') return T.unsafePointer;
      if (name === 'Slice')
        return {
          k: 'slice',
          elem:
            under(args[0]?.type ?? T.unknown).k === 'pointer'
              ? (under(args[0]!.type!) as { elem: Type }).elem
              : T.unknown,
        };
      return T.unknown;
    }
  }
  const ft = exprType(c, fnNode);
  const info: CallInfo = { sig: null, ddd, kind: 'value', args };
  const inner = unparen(fnNode);
  if (inner.kind === 'func_literal') info.kind = 'closure';
  else if (inner.kind === 'identifier' && inner.obj?.kind === 'func') {
    info.kind = 'func';
    info.fn = inner.obj.info;
  } else if (inner.kind === 'selector_expression') {
    if (inner.role === 'pkgmember' && inner.obj?.kind === 'func') {
      info.kind = 'func';
      info.fn = inner.obj.info;
    } else if (inner.role === 'method') {
      info.kind = 'method';
      info.sel = inner.data as Selection;
      info.fn = (inner.data as { fn: FuncInfo }).fn;
    } else if (inner.role === 'imethod') {
      info.kind = 'imethod';
      info.sel = inner.data as Selection;
    } else if (inner.role === 'methexpr' && inner.data) {
      info.kind = 'func';
      info.fn = (inner.data as { fn: FuncInfo }).fn;
      info.sel = inner.data as Selection;
    }
  }
  n.role = 'call';
  n.data = info;
  const u = under(ft);
  if (u.k !== 'func') {
    for (const a of args) exprType(c, a);
    return T.unknown;
  }
  const sig = u.sig;
  info.sig = sig;
  checkArgs(c, sig, args, ddd, at);
  if (sig.results.length === 1) return sig.results[0]!;
  return (sig.resultTuple ??= { k: 'tuple', types: sig.results });
}

export function unparen(n: Node): Node {
  while (n.kind === 'parenthesized_expression' && n.kids.length === 1) n = n.kids[0]!;
  return n;
}

function checkArgs(c: Ctx, sig: Signature, args: Node[], ddd: boolean, at: number): void {
  if (args.length === 1 && sig.params.length > 1) {
    exprType(c, args[0]!);
    return;
  }
  const np = sig.params.length;
  // Go places an argument's implicit conversion at the last argument so far that is not a
  // plain name (typechecking names does not move the current position), else at the '('.
  let convAt = at;
  args.forEach((a, i) => {
    if (unparen(a).kind !== 'identifier') convAt = goPos(a);
    let pt: Type | undefined;
    if (sig.variadic && i >= np - 1) {
      const last = sig.params[np - 1]!;
      pt = ddd ? last : last.k === 'slice' ? last.elem : undefined;
    } else pt = sig.params[i];
    assignTo(c, a, pt, convAt);
  });
}

function builtinType(c: Ctx, name: string, args: Node[], ddd: boolean, at: number, expected?: Type): Type {
  switch (name) {
    case 'new': {
      const t = typeOfTypeExpr(c, args[0]!) ?? T.unknown;
      return { k: 'pointer', elem: t };
    }
    case 'make': {
      const t = typeOfTypeExpr(c, args[0]!) ?? T.unknown;
      for (const a of args.slice(1)) assignTo(c, a, undefined, at);
      return t;
    }
    case 'append': {
      const st = args[0] ? exprType(c, args[0], expected) : T.unknown;
      const s = args[0] && isUntyped(st) ? (expected ?? st) : st;
      const u = under(s);
      const elem = u.k === 'slice' ? u.elem : T.unknown;
      for (const a of args.slice(1)) {
        if (ddd) exprType(c, a);
        else assignTo(c, a, elem, at);
      }
      return s;
    }
    case 'len':
    case 'cap': {
      const t = args[0] ? exprType(c, args[0]) : T.unknown;
      const cv = args[0]?.cval;
      if (cv?.k === 'string') (args[0]!.data ??= {}).lenConst = BigInt(new TextEncoder().encode(cv.v).length);
      const ut = under(t);
      if (ut.k === 'array' && !containsCallOrRecv(args[0]!)) (args[0]!.data ??= {}).lenConst = BigInt(ut.len);
      return T.int;
    }
    case 'copy':
      for (const a of args) exprType(c, a);
      return T.int;
    case 'panic':
      if (args[0]) assignTo(c, args[0], T.emptyIface, at);
      return { k: 'tuple', types: [] };
    case 'print':
    case 'println':
    case 'delete':
    case 'close':
      for (const a of args) assignTo(c, a, undefined, at);
      return { k: 'tuple', types: [] };
    case 'recover':
      return T.emptyIface;
    case 'complex':
      for (const a of args) exprType(c, a);
      return T.complex128;
    case 'real':
    case 'imag':
      for (const a of args) exprType(c, a);
      return T.float64;
    default:
      return T.unknown;
  }
}

function containsCallOrRecv(n: Node): boolean {
  if (n.kind === 'call_expression' || (n.kind === 'unary_expression' && text(child(n, 'operator')!) === '<-'))
    return true;
  return n.kids.some(containsCallOrRecv);
}

function unaryType(c: Ctx, n: Node): Type {
  const op = text(child(n, 'operator')!);
  const x = child(n, 'operand')!;
  if (op === '&') {
    const t = exprType(c, x);
    markAddrTaken(x);
    return { k: 'pointer', elem: t };
  }
  if (op === '*') {
    const tt = typeOfTypeExpr(c, x);
    if (tt) return { k: 'pointer', elem: tt };
    const t = under(exprType(c, x));
    return t.k === 'pointer' ? t.elem : T.unknown;
  }
  if (op === '<-') {
    const t = under(exprType(c, x));
    return t.k === 'chan' ? t.elem : T.unknown;
  }
  const t = exprType(c, x);
  const v = x.cval;
  if (v) {
    if (op === '-' && v.k === 'int') n.cval = intConst(-v.v);
    else if (op === '-' && v.k === 'float') n.cval = { k: 'float', v: -v.v };
    else if (op === '+') n.cval = v;
    else if (op === '^' && v.k === 'int') n.cval = intConst(~v.v);
    else if (op === '!' && v.k === 'bool') n.cval = { k: 'bool', v: !v.v };
  }
  return t;
}

export function markAddrTaken(x: Node): void {
  const r = rootVar(x);
  if (r) r.addrTaken = true;
}

/** The variable at the base of x, x.f, x[i] (arrays), (x). */
export function rootVar(x: Node): VarObj | undefined {
  let n = unparen(x);
  for (;;) {
    if (n.kind === 'identifier') return n.obj?.kind === 'var' ? n.obj : undefined;
    if (n.kind === 'selector_expression' && n.role === 'field') {
      const sel = n.data as Selection;
      if (sel.steps.some((s) => s.ptr)) return undefined;
      n = unparen(child(n, 'operand')!);
      continue;
    }
    if (n.kind === 'index_expression') {
      const op = child(n, 'operand')!;
      if (op.type && under(op.type).k === 'array') {
        n = unparen(op);
        continue;
      }
    }
    return undefined;
  }
}

function binaryType(c: Ctx, n: Node): Type {
  const op = text(child(n, 'operator')!);
  const l = child(n, 'left')!;
  const r = child(n, 'right')!;
  let lt = exprType(c, l);
  let rt = exprType(c, r);
  const cmp = ['==', '!=', '<', '<=', '>', '>='].includes(op);
  if (op === '<<' || op === '>>') {
    if (isUntyped(rt)) r.type = T.uint8;
    if (l.cval?.k === 'int' && r.cval?.k === 'int')
      n.cval = intConst(op === '<<' ? l.cval.v << r.cval.v : l.cval.v >> r.cval.v);
    return lt;
  }
  if (isUntyped(lt) && !isUntyped(rt)) {
    lt = rt;
    if (l.kind !== 'nil') l.type = rt;
  } else if (isUntyped(rt) && !isUntyped(lt)) {
    rt = lt;
    if (r.kind !== 'nil') r.type = lt;
  }
  if (l.cval && r.cval) n.cval = foldBinary(op, l.cval, r.cval);
  if (cmp || op === '&&' || op === '||') return isUntyped(lt) && isUntyped(rt) ? T.untypedBool : T.bool;
  if (isUntyped(lt) && isUntyped(rt)) {
    const rank = (t: Type) =>
      ['untyped int', 'untyped rune', 'untyped float', 'untyped complex'].indexOf((t as { name: string }).name);
    return rank(lt) >= rank(rt) ? lt : rt;
  }
  return lt.k === 'unknown' ? rt : lt;
}

function foldBinary(op: string, a: ConstValue, b: ConstValue): ConstValue | undefined {
  if (a.k === 'int' && b.k === 'int') {
    const x = a.v,
      y = b.v;
    switch (op) {
      case '+':
        return intConst(x + y);
      case '-':
        return intConst(x - y);
      case '*':
        return intConst(x * y);
      case '/':
        return y === 0n ? undefined : intConst(x / y);
      case '%':
        return y === 0n ? undefined : intConst(x % y);
      case '&':
        return intConst(x & y);
      case '|':
        return intConst(x | y);
      case '^':
        return intConst(x ^ y);
      case '&^':
        return intConst(x & ~y);
      case '==':
        return { k: 'bool', v: x === y };
      case '!=':
        return { k: 'bool', v: x !== y };
      case '<':
        return { k: 'bool', v: x < y };
      case '<=':
        return { k: 'bool', v: x <= y };
      case '>':
        return { k: 'bool', v: x > y };
      case '>=':
        return { k: 'bool', v: x >= y };
    }
    return undefined;
  }
  if (a.k === 'string' && b.k === 'string' && op === '+') return { k: 'string', v: a.v + b.v };
  const num = (v: ConstValue) => (v.k === 'int' ? Number(v.v) : v.k === 'float' ? v.v : NaN);
  if ((a.k === 'int' || a.k === 'float') && (b.k === 'int' || b.k === 'float')) {
    const x = num(a),
      y = num(b);
    switch (op) {
      case '+':
        return { k: 'float', v: x + y };
      case '-':
        return { k: 'float', v: x - y };
      case '*':
        return { k: 'float', v: x * y };
      case '/':
        return { k: 'float', v: x / y };
    }
  }
  if (a.k === 'bool' && b.k === 'bool') {
    if (op === '&&') return { k: 'bool', v: a.v && b.v };
    if (op === '||') return { k: 'bool', v: a.v || b.v };
  }
  return undefined;
}

function compositeType(c: Ctx, n: Node, expected?: Type): Type {
  const tn = child(n, 'type');
  let t: Type = tn ? resolveType(c, tn) : (expected ?? T.unknown);
  const body = child(n, 'body')!;
  if (t.k === 'array' && t.len === -1) {
    let max = 0,
      idx = 0;
    for (const el of body.kids) {
      if (el.kind === 'keyed_element') {
        const k = constExpr(c, child(el, 'key')!).value;
        if (k?.k === 'int') idx = Number(k.v);
      }
      idx++;
      max = Math.max(max, idx);
    }
    t = { k: 'array', elem: t.elem, len: max };
  }
  n.type = t;
  literalElements(c, t, body);
  return t;
}

function literalElements(c: Ctx, t: Type, body: Node): void {
  const u = under(t.k === 'pointer' ? t.elem : t);
  let pos = 0;
  for (const el of body.kids) {
    const keyed = el.kind === 'keyed_element';
    const valueNode = keyed ? child(el, 'value')! : el;
    let vt: Type | undefined;
    if (u.k === 'struct') {
      if (keyed) {
        const key = child(el, 'key')!;
        const f = u.fields.find((f) => f.name === text(key));
        vt = f?.type;
        el.data = { field: f?.name };
      } else {
        vt = u.fields[pos]?.type;
      }
    } else if (u.k === 'map') {
      if (keyed) {
        const key = child(el, 'key')!;
        literalValue(c, key, u.key, body.start);
      }
      vt = u.elem;
    } else if (u.k === 'slice' || u.k === 'array') {
      if (keyed) exprType(c, child(el, 'key')!);
      vt = u.elem;
    }
    literalValue(c, valueNode, vt, -1);
    pos++;
  }
}

/** An element of a composite literal: nested literal_value takes its type from the context. */
function literalValue(c: Ctx, v: Node, t: Type | undefined, at: number): void {
  if (v.kind === 'literal_value') {
    const elemT = t ?? T.unknown;
    if (under(elemT).k === 'pointer') {
      // &T{...} elided: `[]*T{{...}}`
      v.role = 'elided-ptrlit';
      v.type = elemT;
    } else {
      v.role = 'elided-lit';
      v.type = elemT;
    }
    literalElements(c, elemT, v);
    return;
  }
  assignTo(c, v, t, at);
}

export function sameType(a: Type, b: Type): boolean {
  return identical(a, b);
}

export { children };
