// Builds the escape graph for one function body (Go 1.19's expr.go/stmt.go/assign.go):
// every expression is evaluated into a hole, statements wire assignments, returns, loops
// (loop depth), labels that are targets of backward gotos, go/defer, and closures. The type
// checker's annotations stand in for the compiler's desugared IR (implicit interface
// conversions, implicit & / * on method receivers, `a[:]` on arrays taking `&a`).

import { child, children, goPos, text, type Node, type SourceFile } from './ast.js';
import { unparen } from './check-expr.js';
import type { Selection } from './check.js';
import { Batch, Hole, Location, type LocKind } from './graph.js';
import { addStrParts, printExpr } from './print.js';
import { call } from './calls.js';
import {
  hasPointers,
  isDirectIface,
  isInterface,
  isUntyped,
  sizeof,
  under,
  type FuncInfo,
  type Type,
  type VarObj,
} from './types.js';

export const STATE_PLANNED = 1;
export const STATE_TAGGED = 3;

export class Escape {
  loopDepth = 1;
  labels = new Map<string, 'looping' | 'nonlooping'>();
  selfAssignMsgs: { file: SourceFile; pos: number; text: string }[];
  constructor(
    readonly b: Batch,
    readonly curfn: FuncInfo,
    msgs: { file: SourceFile; pos: number; text: string }[],
  ) {
    this.selfAssignMsgs = msgs;
  }

  newLoc(
    kind: LocKind,
    label: string,
    file: SourceFile | null,
    pos: number,
    transient: boolean,
    opts: { v?: VarObj; type?: Type; op?: string; extra?: Location['extra'] } = {},
  ): Location {
    const loc = new Location(
      kind,
      label,
      this.curfn,
      this.loopDepth,
      transient,
      file,
      pos,
      opts.v ?? null,
      opts.type ?? null,
      opts.op ?? '',
      opts.extra,
    );
    this.b.allLocs.push(loc);
    if (opts.v) opts.v.loc = loc;
    return loc;
  }

  varLoc(v: VarObj): Location {
    return this.newLoc('var', v.name, v.decl?.file ?? null, v.decl?.start ?? 0, false, { v, type: v.type });
  }

  oldLoc(v: VarObj): Location | undefined {
    return v.loc as Location | undefined;
  }

  spill(
    k: Hole,
    n: Node,
    label: string,
    op: string,
    extra: Location['extra'] = {},
    pos = goPos(n),
    type: Type | undefined = n.type,
  ): Hole {
    const loc = this.newLoc('expr', label, n.file, pos, true, { type, op, extra });
    this.b.flow(k.addr(label, 'spill', n.file, pos), loc);
    return new Hole(loc);
  }

  discard(n: Node | undefined): void {
    if (n) this.expr(this.b.discardHole(), n);
  }

  note(k: Hole, n: Node, why: string): Hole {
    return k.note(() => printExpr(n), why, n.file, n);
  }

  expr(k: Hole, n: Node): void {
    if (n.implicit && n.type && !isInterface(n.type)) {
      let kk = k;
      if (!isDirectIface(n.type)) kk = this.spill(k, n, printExpr(n), 'iface', {}, n.implicit.at, n.implicit.to);
      this.exprNoConv(
        kk.note(() => printExpr(n), 'interface-converted', n.file, n.implicit.at),
        n,
      );
      return;
    }
    this.exprNoConv(k, n);
  }

  private exprNoConv(k: Hole, n: Node): void {
    const t = n.type;
    if (k.derefs >= 0 && t && !isUntyped(t) && t.k !== 'tuple' && !hasPointers(t)) k = this.b.discardHole();
    if (n.cval !== undefined && n.role !== 'conv-iface') return;
    switch (n.kind) {
      case 'identifier': {
        const o = n.obj;
        if (o?.kind !== 'var' || o.cls === 'global') return;
        const loc = this.oldLoc(o);
        if (loc) this.b.flow(k, loc);
        return;
      }
      case 'parenthesized_expression':
        this.expr(k, n.kids[0]!);
        return;
      case 'selector_expression':
        this.selector(k, n);
        return;
      case 'index_expression': {
        const x = child(n, 'operand')!;
        const xt = x.type ? under(x.type) : undefined;
        if (n.role === 'instantiate') return;
        if (xt?.k === 'map') {
          this.discard(x);
          this.discard(child(n, 'index'));
          return;
        }
        if (xt?.k === 'array') this.expr(this.note(k, n, 'fixed-array-index-of'), x);
        else
          this.expr(
            k.deref(() => printExpr(n), 'dot of pointer', n.file, n),
            x,
          );
        this.discard(child(n, 'index'));
        return;
      }
      case 'slice_expression': {
        const x = child(n, 'operand')!;
        const xt = x.type ? under(x.type) : undefined;
        const kk = this.note(k, n, 'slice');
        if (xt?.k === 'array')
          this.expr(
            kk.addr(() => printExpr(x), 'address-of', n.file, n.start),
            x,
          );
        else this.expr(kk, x);
        for (const f of ['start', 'end', 'capacity']) this.discard(child(n, f));
        return;
      }
      case 'type_assertion_expression': {
        let kk = k;
        if (t && !isInterface(t) && !isDirectIface(t)) kk = kk.shift(1);
        this.expr(this.note(kk, n, 'dot'), child(n, 'operand')!);
        return;
      }
      case 'type_conversion_expression':
      case 'call_expression':
        if (n.role === 'conv') this.conversion(k, n);
        else call(this, [k], n);
        return;
      case 'unary_expression':
        this.unary(k, n);
        return;
      case 'binary_expression': {
        if (
          n.role === 'addstr' ||
          (t &&
            under(t).k === 'basic' &&
            (under(t) as { name: string }).name === 'string' &&
            text(child(n, 'operator')!) === '+')
        ) {
          n.role = 'addstr';
          const kk = this.spill(k, n, printExpr(n), 'addstr');
          void kk;
          for (const p of addStrParts(n)) this.discard(p);
          return;
        }
        this.discard(child(n, 'left'));
        this.discard(child(n, 'right'));
        return;
      }
      case 'composite_literal':
      case 'literal_value':
        this.compositeLit(k, n);
        return;
      case 'func_literal':
        this.closure(k, n);
        return;
      default:
        return;
    }
  }

  selector(k: Hole, n: Node): void {
    const x = child(n, 'operand')!;
    switch (n.role) {
      case 'field': {
        const sel = n.data as Selection;
        let kk = k;
        for (let i = sel.steps.length - 1; i >= 0; i--) {
          kk = sel.steps[i]!.ptr ? kk.deref(() => printExpr(n), 'dot of pointer', n.file, n) : this.note(kk, n, 'dot');
        }
        this.expr(kk, x);
        return;
      }
      case 'method':
      case 'imethod':
        this.methodValue(k, n);
        return;
      case 'pkgmember':
      case 'methexpr':
        return;
      default:
        // Unknown member of an opaque type: its value may hold anything of x.
        this.expr(this.b.heapHole(), x);
    }
  }

  methodValue(k: Hole, n: Node): void {
    const closureK = this.spill(k, n, printExpr(n), 'methvalue', { closureSize: 16 });
    const sel = n.data as Selection;
    const fn = sel.kind === 'method' ? sel.fn : null;
    const results = fn ? fn.sig.results.length : sel.kind === 'imethod' ? sel.sig.results.length : 0;
    const ks: Hole[] = [];
    for (let i = 0; i < results; i++) ks.push(this.b.heapHole());
    const paramK = fn ? tagHoleFor(this, ks, fn, -1) : this.b.heapHole();
    const recv = receiverExpr(n, sel);
    this.evalReceiver(this.teeHole([paramK, closureK]), recv);
  }

  /** Evaluates a method receiver with the implicit & or * Go inserts. */
  evalReceiver(k: Hole, r: ReceiverExpr): void {
    let kk = k;
    // The implicit &, * and embedded-field steps all sit at the selector's dot and print as
    // the receiver path reached so far (x.T for an embedded T).
    const at = r.sel ?? r.base;
    const path = (upto: number) => () =>
      printExpr(r.base, 8) +
      r.steps
        .slice(0, upto)
        .map((s) => '.' + (s.field?.name ?? ''))
        .join('');
    if (r.addr) kk = kk.addr(path(r.steps.length), 'address-of', r.base.file, at);
    if (r.deref) kk = kk.deref(path(r.steps.length), 'indirection', r.base.file, at);
    for (let i = r.steps.length - 1; i >= 0; i--) {
      kk = r.steps[i]!.ptr
        ? kk.deref(path(i + 1), 'dot of pointer', r.base.file, at)
        : kk.note(path(i + 1), 'dot', r.base.file, at);
    }
    if (r.dotType && !isInterface(r.dotType) && !isDirectIface(r.dotType)) kk = kk.shift(1);
    this.expr(kk, r.base);
  }

  teeHole(ks: Hole[]): Hole {
    if (ks.length === 0) return this.b.discardHole();
    if (ks.length === 1) return ks[0]!;
    const loc = this.newLoc('temp', '{temp}', null, 0, true);
    for (const k of ks) this.b.flow(k, loc);
    return new Hole(loc);
  }

  later(k: Hole): Hole {
    const loc = this.newLoc('temp', '{temp}', null, 0, false);
    this.b.flow(k, loc);
    return new Hole(loc);
  }

  conversion(k: Hole, n: Node): void {
    const t = n.type!;
    const x = n.kind === 'type_conversion_expression' ? child(n, 'operand')! : child(n, 'arguments')!.kids[0]!;
    const xx = x.kind === 'variadic_argument' ? x.kids[0]! : x;
    const xt = xx.type ?? t;
    const ut = under(t);
    const ux = under(xt);
    if (isInterface(t)) {
      let kk = k;
      if (!isInterface(xt) && !isDirectIface(xt) && !(ux.k === 'basic' && ux.name === 'untyped nil'))
        kk = this.spill(k, n, printExpr(n), 'iface');
      this.expr(this.note(kk, n, 'interface-converted'), xx);
      return;
    }
    if (
      ut.k === 'basic' &&
      ut.name === 'string' &&
      (ux.k === 'slice' || (ux.k === 'basic' && /int|uint8|rune/.test(ux.name) && !ux.name.startsWith('untyped')))
    ) {
      this.spill(k, n, printExpr(n), 'str');
      this.discard(xx);
      return;
    }
    if (ut.k === 'slice' && ux.k === 'basic' && (ux.name === 'string' || ux.name === 'untyped string')) {
      const size = xx.cval?.k === 'string' ? new TextEncoder().encode(xx.cval.v).length : -1;
      this.spill(k, n, printExpr(n), 'strbytes', { elemSize: size });
      this.discard(xx);
      return;
    }
    if (ut.k === 'basic' && ut.name === 'unsafe.Pointer' && ux.k === 'basic' && ux.name === 'uintptr') {
      this.unsafeValue(k, xx);
      return;
    }
    this.expr(k, xx);
  }

  unsafeValue(k: Hole, n: Node): void {
    const m = unparen(n);
    if (m.kind === 'call_expression' || m.kind === 'type_conversion_expression') {
      if (m.role === 'conv') {
        const x = m.kind === 'type_conversion_expression' ? child(m, 'operand')! : child(m, 'arguments')!.kids[0]!;
        if (x.type && under(x.type).k === 'basic' && (under(x.type) as { name: string }).name === 'unsafe.Pointer')
          this.expr(k, x);
        else this.discard(x);
        return;
      }
    }
    if (m.kind === 'selector_expression' && m.role === 'field') {
      const sel = m.data as Selection;
      const last = sel.steps[sel.steps.length - 1];
      const base = child(m, 'operand')!;
      const bt = base.type ? under(base.type) : undefined;
      const isHeader =
        bt?.k === 'pointer' &&
        bt.elem.k === 'named' &&
        bt.elem.pkg === 'reflect' &&
        /^(Slice|String)Header$/.test(bt.elem.name);
      if (last?.ptr && last.field.name === 'Data' && isHeader) {
        this.expr(
          k.deref(() => printExpr(m), 'reflect.Header.Data', m.file, m),
          base,
        );
        return;
      }
      this.discard(base);
      return;
    }
    if (m.kind === 'unary_expression' && ['+', '-', '^'].includes(text(child(m, 'operator')!))) {
      this.unsafeValue(k, child(m, 'operand')!);
      return;
    }
    if (m.kind === 'binary_expression') {
      const op = text(child(m, 'operator')!);
      if (['+', '-', '|', '^', '*', '/', '%', '&', '&^'].includes(op)) {
        this.unsafeValue(k, child(m, 'left')!);
        this.unsafeValue(k, child(m, 'right')!);
        return;
      }
      if (op === '<<' || op === '>>') {
        this.unsafeValue(k, child(m, 'left')!);
        this.discard(child(m, 'right'));
        return;
      }
    }
    this.discard(m);
  }

  unary(k: Hole, n: Node): void {
    const op = text(child(n, 'operator')!);
    const x = child(n, 'operand')!;
    if (op === '&') {
      const inner = unparen(x);
      if (inner.kind === 'composite_literal') {
        const kk = this.spill(k, n, '&' + printExpr(inner), 'ptrlit', {
          elemSize: inner.type ? sizeof(inner.type) : 0,
        });
        this.compositeLit(kk, inner, true);
        return;
      }
      this.expr(
        k.addr(() => printExpr(n), 'address-of', n.file, n),
        x,
      );
      return;
    }
    if (op === '*') {
      this.expr(
        k.deref(() => printExpr(n), 'indirection', n.file, n),
        x,
      );
      return;
    }
    this.discard(x);
  }

  compositeLit(k: Hole, n: Node, underPtr = false): void {
    let t = n.type;
    if (!t) return;
    if (n.role === 'elided-ptrlit' && !underPtr && t.k === 'pointer') {
      const label = '&' + printExpr(n);
      const kk = this.spill(k, n, label, 'ptrlit', { elemSize: sizeof(t.elem) });
      t = t.elem;
      this.elements(kk, n, under(t));
      return;
    }
    const u = under(t.k === 'pointer' && n.role === 'elided-ptrlit' ? t.elem : t);
    if (u.k === 'slice') {
      const kk = this.spill(k, n, printExpr(n), 'slicelit');
      this.elements(kk, n, u);
      return;
    }
    if (u.k === 'map') {
      this.spill(k, n, printExpr(n), 'maplit');
      const body = n.kind === 'literal_value' ? n : child(n, 'body')!;
      for (const el of body.kids) {
        if (el.kind !== 'keyed_element') continue;
        const key = child(el, 'key')!;
        const val = child(el, 'value')!;
        this.expr(
          this.b.heapHole().note(() => printExpr(n), 'map literal key', n.file, n),
          key,
        );
        this.expr(
          this.b.heapHole().note(() => printExpr(n), 'map literal value', n.file, n),
          val,
        );
      }
      return;
    }
    this.elements(k, n, u);
  }

  private elements(k: Hole, n: Node, u: Type): void {
    const body = n.kind === 'literal_value' ? n : child(n, 'body')!;
    const why =
      u.k === 'struct' ? 'struct literal element' : u.k === 'slice' ? 'slice-literal-element' : 'array literal element';
    for (const el of body.kids) {
      const v = el.kind === 'keyed_element' ? child(el, 'value')! : el;
      this.expr(this.note(k, n, why), v);
    }
  }

  closure(k: Hole, n: Node): void {
    const fn = (n.data as { fn: FuncInfo }).fn;
    let size = 8;
    for (const v of fn.closureVars) size += Math.max(8, sizeof(v.type));
    const kk = this.spill(k, n, 'func literal', 'closure', { closureSize: size });
    const loc = kk.dst;
    this.b.closures.push({ k: kk, fn, loc });
    // A function literal of a package-level initialiser is a function of its own (glob..funcN),
    // analysed and tagged in its own batch before the generated init refers to it: like Go,
    // init then only holds the closure value and calls it by its tags, without a second walk.
    if (fn.state === STATE_TAGGED) return;
    for (const cv of fn.closureVars) {
      const l = this.oldLoc(cv);
      if (l && !l.captured) {
        l.captured = true;
        if (l.loopDepth === this.loopDepth) l.reassigned = false;
      }
    }
    fn.state = STATE_PLANNED;
    const e = new Escape(this.b, fn, this.selfAssignMsgs);
    for (const v of fn.dcl) if (!v.loc || (v.loc as Location).curfn !== fn) e.varLoc(v);
    fn.results.forEach((r) => {
      const l = r.loc as Location;
      l.resultIndex = r.resultIndex;
    });
    e.walkFunc();
  }

  walkFunc(): void {
    const fn = this.curfn;
    if (fn.initAssigns) return this.initFunc(fn.initAssigns);
    if (!fn.body) return;
    // Labels that are targets of a backward goto mark a loop.
    const seen = new Set<string>();
    if (!fn.body.file.hasGoto) return void this.block(fn.body);
    const scan = (n: Node) => {
      if (n.kind === 'func_literal') return;
      if (n.kind === 'labeled_statement') {
        const l = text(child(n, 'label')!);
        seen.add(l);
        this.labels.set(l, 'nonlooping');
      }
      if (n.kind === 'goto_statement') {
        const l = text(n.kids[0]!);
        if (seen.has(l) && this.labels.get(l) === 'nonlooping') this.labels.set(l, 'looping');
      }
      for (const c of n.kids) scan(c);
    };
    scan(fn.body);
    this.block(fn.body);
  }

  /** The generated init: each run-time part of an initialiser is stored into package storage. */
  private initFunc(assigns: NonNullable<FuncInfo['initAssigns']>): void {
    for (const a of assigns) {
      const name = a.vars.map((v) => v.name).join(', ');
      for (const r of a.roots) {
        const k = this.b.heapHole().note(() => `${name} = ${printExpr(r)}`, 'assign', r.file, a.at);
        this.expr(k, r);
      }
    }
  }

  block(n: Node): void {
    const old = this.loopDepth;
    this.stmtList(n);
    this.loopDepth = old;
  }

  stmtList(n: Node): void {
    for (const k of n.kids) {
      if (k.kind === 'statement_list') for (const s of k.kids) this.stmt(s);
      else this.stmt(k);
    }
  }

  dcl(v: VarObj): Hole {
    const loc = this.oldLoc(v);
    if (!loc) return this.b.discardHole();
    loc.loopDepth = this.loopDepth;
    return new Hole(loc);
  }

  stmt(s: Node): void {
    stmt(this, s);
  }
}

export interface ReceiverExpr {
  base: Node;
  /** The selector the receiver comes from (its dot is where Go puts the implicit & or *). */
  sel?: Node;
  steps: { ptr: boolean; field?: { name: string } }[];
  addr: boolean;
  deref: boolean;
  /** Devirtualized calls evaluate base.(T) first. */
  dotType?: Type;
}

/** The receiver argument of a method call or method value, with Go's implicit & and *. */
export function receiverExpr(sel: Node, s: Selection): ReceiverExpr {
  const base = child(sel, 'operand')!;
  const steps = s.steps;
  if (s.kind === 'field') return { base, steps, addr: false, deref: false };
  // Is the value the method is called on a pointer?
  let onPtr: boolean;
  if (steps.length === 0) onPtr = !!base.type && under(base.type).k === 'pointer';
  else onPtr = under(steps[steps.length - 1]!.field.type).k === 'pointer';
  if (s.kind === 'imethod') return { base, sel, steps, addr: false, deref: onPtr };
  const wantPtr = !!s.fn.pointerRecv;
  return { base, sel, steps, addr: wantPtr && !onPtr, deref: !wantPtr && onPtr };
}

import { stmt } from './walk-stmt.js';
import { tagHoleFor } from './calls.js';
export { children };
