// Statements and assignments for the escape walker (Go 1.19 stmt.go/assign.go): where a
// store goes (a local's location, or the heap for anything stored through a pointer, into a
// slice element, a map or a global), reassignment tracking for the closure capture rule,
// the self-assignment special case, loops and ranges (loop depth), switches and selects.

import { child, text, type Node } from './ast.js';
import { unparen } from './check-expr.js';
import type { Selection } from './check.js';
import { Hole } from './graph.js';
import { printExpr, printStmt } from './print.js';
import { call, goDefer } from './calls.js';
import { hasPointers, isDirectIface, isInterface, under, type VarObj } from './types.js';
import type { Escape } from './walk.js';

export function addr(e: Escape, n: Node | undefined): Hole {
  if (!n) return e.b.discardHole();
  const m = unparen(n);
  if (m.kind === 'identifier') {
    if (text(m) === '_') return e.b.discardHole();
    const o = m.obj;
    if (o?.kind === 'var' && o.cls !== 'global') {
      const loc = e.oldLoc(o);
      return loc ? new Hole(loc) : e.b.heapHole();
    }
    return e.b.heapHole();
  }
  if (m.kind === 'selector_expression' && m.role === 'field') {
    const sel = m.data as Selection;
    return addrSteps(e, child(m, 'operand')!, sel.steps.length, sel);
  }
  if (m.kind === 'index_expression') {
    const x = child(m, 'operand')!;
    const xt = x.type ? under(x.type) : undefined;
    if (xt?.k === 'map') {
      e.discard(x);
      const idx = child(m, 'index')!;
      e.expr(
        e.b.heapHole().note(() => printExpr(m), 'key of map put', m.file, m),
        idx,
      );
      return e.b.heapHole();
    }
    e.discard(child(m, 'index'));
    if (xt?.k === 'array') return addr(e, x);
    e.discard(x);
    return e.b.heapHole();
  }
  e.discard(m);
  return e.b.heapHole();
}

function addrSteps(e: Escape, base: Node, count: number, sel: Selection): Hole {
  if (count === 0) return addr(e, base);
  if (sel.steps[count - 1]!.ptr) {
    e.discard(base);
    return e.b.heapHole();
  }
  return addrSteps(e, base, count - 1, sel);
}

export function assignList(
  e: Escape,
  dsts: (Node | undefined)[],
  srcs: (Node | undefined)[],
  why: string,
  where: Node,
  opText = '=',
): void {
  const ks = dsts.map((d) => addr(e, d));
  ks.forEach((k, i) => {
    const src = srcs[i];
    const dst = dsts[i];
    let kk = k;
    if (dst && src && isReflectHeaderData(dst)) {
      e.unsafeValue(
        e.b.heapHole().note(() => printStmt(where), why, where.file, where),
        src,
      );
      return;
    }
    if (dst && src && isSelfAssign(dst, src)) {
      e.selfAssignMsgs.push({
        file: where.file,
        pos: assignOpPos(where),
        text: `${e.curfn.name} ignoring self-assignment in ${printExpr(dst)} ${opText} ${printExpr(src)}`,
      });
      kk = e.b.discardHole();
    }
    if (src)
      e.expr(
        kk.note(() => printStmt(where), why, where.file, where),
        src,
      );
  });
  reassigned(e, ks, where);
}

function assignOpPos(s: Node): number {
  const op = child(s, 'operator');
  if (op) return op.start;
  const left = child(s, 'left');
  const i = left ? s.file.text.indexOf('=', left.end) : -1;
  return i >= 0 ? (s.file.text[i - 1] === ':' ? i - 1 : i) : s.start;
}

/** `(*reflect.SliceHeader)(p).Data = ...`: storing a uintptr that may hold a pointer. */
function isReflectHeaderData(n: Node): boolean {
  const m = unparen(n);
  if (m.kind !== 'selector_expression' || m.role !== 'field' || text(child(m, 'field')!) !== 'Data') return false;
  const bt = child(m, 'operand')!.type;
  const u = bt ? under(bt) : undefined;
  return (
    u?.k === 'pointer' && u.elem.k === 'named' && u.elem.pkg === 'reflect' && /^(Slice|String)Header$/.test(u.elem.name)
  );
}

export function reassigned(e: Escape, ks: Hole[], where: Node): void {
  for (const k of ks) {
    const loc = k.dst;
    const v = loc.v;
    if (v && v.defn === where && where.kind !== 'range_clause') continue;
    loc.reassigned = true;
  }
}

function selPtr(n: Node): { x: Node; ptr: boolean } | undefined {
  if (n.kind === 'selector_expression' && n.role === 'field') {
    const sel = n.data as Selection;
    if (sel.steps.length !== 1) return undefined;
    return { x: child(n, 'operand')!, ptr: sel.steps[0]!.ptr };
  }
  return undefined;
}

function isSliceSelfAssign(dst: Node, src: Node): boolean {
  let dstX: Node | undefined;
  if (dst.kind === 'unary_expression' && text(child(dst, 'operator')!) === '*') dstX = child(dst, 'operand');
  else {
    const s = selPtr(dst);
    if (s?.ptr) dstX = s.x;
  }
  if (!dstX || unparen(dstX).kind !== 'identifier') return false;
  if (src.kind !== 'slice_expression') return false;
  const sx = unparen(child(src, 'operand')!);
  if (sx.type && under(sx.type).k === 'array') return false;
  let baseX: Node | undefined;
  if (sx.kind === 'unary_expression' && text(child(sx, 'operator')!) === '*') baseX = child(sx, 'operand');
  else {
    const s = selPtr(sx);
    if (s?.ptr) baseX = s.x;
  }
  if (!baseX || unparen(baseX).kind !== 'identifier') return false;
  const a = unparen(dstX).obj;
  const b = unparen(baseX).obj;
  return !!a && a === b;
}

export function isSelfAssign(dst0: Node, src0: Node): boolean {
  const dst = unparen(dst0);
  const src = unparen(src0);
  if (isSliceSelfAssign(dst, src)) return true;
  const ds = selPtr(dst);
  const ss = selPtr(src);
  if (ds && ss) return ds.ptr === ss.ptr && sameSafeExpr(ds.x, ss.x);
  if (dst.kind === 'index_expression' && src.kind === 'index_expression') {
    const dx = child(dst, 'operand')!;
    const sx = child(src, 'operand')!;
    if (dx.type && under(dx.type).k === 'map') return false;
    if (mayAffectMemory(child(dst, 'index')!) || mayAffectMemory(child(src, 'index')!)) return false;
    return sameSafeExpr(dx, sx);
  }
  return false;
}

function mayAffectMemory(n: Node): boolean {
  const m = unparen(n);
  if (m.cval !== undefined) return false;
  switch (m.kind) {
    case 'identifier':
    case 'int_literal':
    case 'nil':
    case 'interpreted_string_literal':
    case 'rune_literal':
    case 'true':
    case 'false':
      return false;
    case 'binary_expression':
      return mayAffectMemory(child(m, 'left')!) || mayAffectMemory(child(m, 'right')!);
    case 'index_expression':
      return mayAffectMemory(child(m, 'operand')!) || mayAffectMemory(child(m, 'index')!);
    case 'unary_expression':
      return text(child(m, 'operator')!) === '<-' || text(child(m, 'operator')!) === '&'
        ? true
        : mayAffectMemory(child(m, 'operand')!);
    case 'selector_expression':
      return m.role === 'field' ? mayAffectMemory(child(m, 'operand')!) : true;
    case 'call_expression':
      if (m.role === 'conv') return mayAffectMemory(child(m, 'arguments')!.kids[0]!);
      if (m.role === 'builtin' && ['len', 'cap'].includes((m.data as { name: string }).name))
        return mayAffectMemory(child(m, 'arguments')!.kids[0]!);
      return true;
    default:
      return true;
  }
}

function sameSafeExpr(a0: Node, b0: Node): boolean {
  const a = unparen(a0);
  const b = unparen(b0);
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'identifier':
      return !!a.obj && a.obj === b.obj;
    case 'selector_expression':
      return (
        text(child(a, 'field')!) === text(child(b, 'field')!) &&
        sameSafeExpr(child(a, 'operand')!, child(b, 'operand')!)
      );
    case 'unary_expression':
      return (
        text(child(a, 'operator')!) === '*' &&
        text(child(b, 'operator')!) === '*' &&
        sameSafeExpr(child(a, 'operand')!, child(b, 'operand')!)
      );
    case 'index_expression':
      return (
        sameSafeExpr(child(a, 'operand')!, child(b, 'operand')!) && sameSafeExpr(child(a, 'index')!, child(b, 'index')!)
      );
    case 'int_literal':
    case 'interpreted_string_literal':
    case 'rune_literal':
      return text(a) === text(b);
    default:
      return false;
  }
}

function isCommaOk(n: Node): boolean {
  return !!(n.data && (n.data as { commaOk?: boolean }).commaOk);
}

/** `lhs... = rhs...` / `lhs... := rhs...` */
function assignStmt(e: Escape, s: Node, lhs: Node[], rhs: Node[], opText: string): void {
  if (rhs.length === 1 && lhs.length > 1) {
    const r = rhs[0]!;
    const ur = unparen(r);
    if (!isCommaOk(r) && ur.kind === 'call_expression' && ur.role !== 'conv') {
      const ks = lhs.map((l) => addr(e, l));
      call(e, ks, ur);
      reassigned(e, ks, s);
      return;
    }
    const why =
      ur.kind === 'type_assertion_expression'
        ? 'assign-pair-dot-type'
        : ur.kind === 'index_expression'
          ? 'assign-pair-mapr'
          : 'assign-pair-receive';
    assignList(e, lhs, [r], why, s, opText);
    return;
  }
  assignList(e, lhs, rhs, lhs.length > 1 ? 'assign-pair' : 'assign', s, opText);
}

function declaredVars(lhs: Node[], s: Node): VarObj[] {
  const out: VarObj[] = [];
  for (const l of lhs) if (l.obj?.kind === 'var' && l.obj.defn === s && l.obj.decl === l) out.push(l.obj);
  return out;
}

export function stmt(e: Escape, s: Node): void {
  switch (s.kind) {
    case 'block':
      e.block(s);
      return;
    case 'statement_list':
      e.stmtList(s);
      return;
    case 'expression_statement': {
      const x = unparen(s.kids[0]!);
      if (x.kind === 'call_expression' && x.role !== 'conv') call(e, null, x);
      else e.discard(x);
      return;
    }
    case 'short_var_declaration': {
      const lhs = child(s, 'left')!.kids;
      for (const v of declaredVars(lhs, s)) e.dcl(v);
      assignStmt(e, s, lhs, child(s, 'right')!.kids, ':=');
      return;
    }
    case 'var_declaration': {
      const specs = s.kids
        .flatMap((k) => (k.kind === 'var_spec_list' ? k.kids : [k]))
        .filter((k) => k.kind === 'var_spec');
      for (const spec of specs) {
        const names = spec.kids.filter((k) => k.field === 'name');
        for (const nm of names) if (nm.obj?.kind === 'var') e.dcl(nm.obj);
        const values = child(spec, 'value');
        if (values) assignStmt(e, spec, names, values.kids, '=');
      }
      return;
    }
    case 'assignment_statement': {
      const op = text(child(s, 'operator')!);
      const lhs = child(s, 'left')!.kids;
      const rhs = child(s, 'right')!.kids;
      if (op === '=') assignStmt(e, s, lhs, rhs, '=');
      else assignList(e, lhs, rhs, 'assign', s, op);
      return;
    }
    case 'inc_statement':
    case 'dec_statement':
      assignList(e, [s.kids[0]!], [undefined], 'assign', s);
      return;
    case 'send_statement':
      e.discard(child(s, 'channel'));
      e.expr(
        e.b.heapHole().note(() => printStmt(s), 'send', s.file, s),
        child(s, 'value')!,
      );
      return;
    case 'return_statement': {
      const vals = s.kids[0]?.kids ?? [];
      const res = e.curfn.results;
      const dsts = res.map((r) => r.decl ?? resultNode(r));
      if (vals.length === 1 && res.length > 1) {
        const ks = res.map((r) => (e.oldLoc(r) ? new Hole(e.oldLoc(r)!) : e.b.discardHole()));
        call(e, ks, unparen(vals[0]!));
        return;
      }
      const ks = res.map((r) => (e.oldLoc(r) ? new Hole(e.oldLoc(r)!) : e.b.discardHole()));
      vals.forEach((v, i) => {
        const k = ks[i];
        if (k)
          e.expr(
            k.note(() => printStmt(s), 'return', s.file, s.start),
            v,
          );
      });
      for (const k of ks) k.dst.reassigned = true;
      void dsts;
      return;
    }
    case 'go_statement':
    case 'defer_statement':
      goDefer(e, s);
      return;
    case 'if_statement': {
      const init = child(s, 'initializer');
      if (init) stmt(e, init);
      const cond = child(s, 'condition')!;
      e.discard(cond);
      // Go's dead-code pass drops the branch of a constant condition before escape analysis.
      const cv = cond.cval?.k === 'bool' ? cond.cval.v : undefined;
      if (cv !== false) e.block(child(s, 'consequence')!);
      const alt = cv === true ? undefined : child(s, 'alternative');
      if (alt) {
        if (alt.kind === 'block') e.block(alt);
        else {
          const old = e.loopDepth;
          stmt(e, alt);
          e.loopDepth = old;
        }
      }
      return;
    }
    case 'for_statement':
      forStmt(e, s);
      return;
    case 'expression_switch_statement': {
      const init = child(s, 'initializer');
      if (init) stmt(e, init);
      e.discard(child(s, 'value'));
      for (const cs of s.kids) {
        if (cs.kind !== 'expression_case' && cs.kind !== 'default_case') continue;
        for (const v of child(cs, 'value')?.kids ?? []) e.discard(v);
        blockOf(e, cs);
      }
      return;
    }
    case 'type_switch_statement': {
      const init = child(s, 'initializer');
      if (init) stmt(e, init);
      const ks: Hole[] = [];
      const cases = s.kids.filter((k) => k.kind === 'type_case' || k.kind === 'default_case');
      for (const cs of cases) {
        const cv = (cs.data as { caseVar?: VarObj } | undefined)?.caseVar;
        if (!cv) continue;
        if (!e.oldLoc(cv)) e.varLoc(cv);
        const k = e.dcl(cv);
        if (hasPointers(cv.type)) {
          const shift = !isInterface(cv.type) && !isDirectIface(cv.type) ? 1 : 0;
          ks.push(k.shift(shift).note('case', 'switch case', cs.file, cs.start));
        }
      }
      e.expr(e.teeHole(ks), child(s, 'value')!);
      for (const cs of cases) blockOf(e, cs);
      return;
    }
    case 'select_statement':
      for (const cs of s.kids) {
        const comm = child(cs, 'communication');
        if (comm?.kind === 'send_statement') stmt(e, comm);
        else if (comm?.kind === 'receive_statement') {
          const left = child(comm, 'left');
          const right = child(comm, 'right')!;
          if (left) {
            for (const v of declaredVars(left.kids, comm)) e.dcl(v);
            assignList(e, left.kids, [right], 'assign-pair-receive', comm);
          } else e.discard(right);
        }
        blockOf(e, cs);
      }
      return;
    case 'labeled_statement': {
      const label = text(child(s, 'label')!);
      if (e.labels.get(label) === 'looping') e.loopDepth++;
      e.labels.delete(label);
      for (const k of s.kids) if (k.kind !== 'label_name') stmt(e, k);
      return;
    }
    default:
      return;
  }
}

function resultNode(_r: VarObj): undefined {
  return undefined;
}

function blockOf(e: Escape, cs: Node): void {
  const old = e.loopDepth;
  for (const k of cs.kids) if (k.kind === 'statement_list') e.stmtList(k);
  e.loopDepth = old;
}

function forStmt(e: Escape, s: Node): void {
  const body = child(s, 'body')!;
  const clause = s.kids.find((k) => k.field !== 'body');
  if (clause?.kind === 'range_clause') {
    const x = child(clause, 'right')!;
    const tmp = e.newLoc('temp', '{temp}', null, 0, false);
    e.expr(new Hole(tmp), x);
    const left = child(clause, 'left');
    const lk = left?.kids ?? [];
    // Variables declared by the range clause live at the loop statement's depth.
    for (const v of declaredVars(lk, clause)) e.dcl(v);
    e.loopDepth++;
    const ks = [addr(e, lk[0]), addr(e, lk[1])];
    const xt = x.type ? under(x.type) : undefined;
    if (lk[1]) {
      if (xt?.k === 'array') e.b.flow(ks[1]!.note('for loop', 'range', s.file, clause), tmp);
      else e.b.flow(ks[1]!.deref('for loop', 'range-deref', s.file, clause), tmp);
    }
    reassigned(e, ks, clause);
    e.block(body);
    e.loopDepth--;
    return;
  }
  if (clause?.kind === 'for_clause') {
    const init = child(clause, 'initializer');
    if (init) stmt(e, init);
    e.loopDepth++;
    e.discard(child(clause, 'condition'));
    const upd = child(clause, 'update');
    if (upd) stmt(e, upd);
    e.block(body);
    e.loopDepth--;
    return;
  }
  e.loopDepth++;
  if (clause) e.discard(clause);
  e.block(body);
  e.loopDepth--;
}
