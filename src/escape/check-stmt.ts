// Statement checking: scopes and variable declarations inside function bodies, closures (with
// their captured variables), and the bookkeeping escape analysis reads later: each variable's
// defining statement and how often it is reassigned (Go's StaticValue and the closure
// capture-by-value rule depend on that).

import { child, children, text, type Node } from './ast.js';
import { declarationsChanged, declareConsts, newVar, resolveType, signatureInto, type Ctx } from './check.js';
import { assignTo, exprType, unparen } from './check-expr.js';
import { Scope } from './scope.js';
import { T, defaultType, newFuncInfo, under, type FuncInfo, type NamedType, type Type, type VarObj } from './types.js';

export function checkFuncBody(c: Ctx, fn: FuncInfo): void {
  const scope = new Scope(c.scope);
  if (fn.recv) scope.declare(fn.recv.name, fn.recv);
  for (const p of fn.params) scope.declare(p.name, p);
  for (const r of fn.results) if (!r.name.startsWith('~')) scope.declare(r.name, r);
  const ctx: Ctx = { ...c, fn, scope };
  blockStmts(ctx, fn.body!);
}

export function checkClosure(c: Ctx, n: Node): Type {
  const outer = c.fn;
  let top = outer;
  while (top?.outer) top = top.outer;
  let name = 'glob..func';
  if (outer) {
    if (outer.outer) {
      outer.closureCount = (outer.closureCount ?? 0) + 1;
      name = `${outer.name}.${outer.closureCount}`;
    } else {
      outer.closureCount = (outer.closureCount ?? 0) + 1;
      name = `${outer.name}.func${outer.closureCount}`;
    }
  }
  const fn = newFuncInfo(name, n, child(n, 'body') ?? null, outer);
  signatureInto(c, fn, child(n, 'parameters')!, child(n, 'result'));
  n.data = { fn };
  n.type = { k: 'func', sig: fn.sig };
  if (outer) outer.closures.push(fn);
  else if (!c.pkg.external) {
    // A package-level initialiser's function literal: Go names them glob..func1, 2, ...
    const glob = (c.pkg.globFuncs ??= []);
    glob.push(fn);
    fn.name = `glob..func${glob.length}`;
  }
  checkFuncBody({ ...c, fn }, fn);
  return n.type;
}

function blockStmts(c: Ctx, block: Node): void {
  for (const k of block.kids) {
    if (k.kind === 'statement_list') for (const s of k.kids) stmt(c, s);
    else stmt(c, k);
  }
}

function nested(c: Ctx): Ctx {
  return { pkg: c.pkg, prog: c.prog, fn: c.fn, scope: new Scope(c.scope), iota: c.iota, fileScope: c.fileScope };
}

function noteAssign(lhs: Node): void {
  const n = unparen(lhs);
  if (n.kind === 'identifier' && n.obj?.kind === 'var') n.obj.assigns++;
}

function declareLocal(c: Ctx, nameNode: Node, t: Type, defn: Node | null): VarObj {
  const v = newVar(text(nameNode), t, nameNode, c.fn, 'auto');
  v.defn = defn;
  c.scope.declare(v.name, v);
  return v;
}

/** Types of the values on the right of a multi-assignment. */
function rhsTypes(c: Ctx, lhsCount: number, rhs: Node[], targets: (Type | undefined)[], at: number): Type[] {
  if (rhs.length === 1 && lhsCount > 1) {
    const r = rhs[0]!;
    const t = exprType(c, r);
    if (t.k === 'tuple') return t.types;
    // v, ok forms
    r.data = { ...(r.data ?? {}), commaOk: true };
    return [t, T.bool];
  }
  return rhs.map((r, i) => assignTo(c, r, targets[i], at));
}

function stmt(c: Ctx, s: Node): void {
  switch (s.kind) {
    case 'block':
      blockStmts(nested(c), s);
      return;
    case 'statement_list':
      for (const x of s.kids) stmt(c, x);
      return;
    case 'expression_statement':
      exprType(c, s.kids[0]!);
      return;
    case 'short_var_declaration': {
      const lhs = child(s, 'left')!.kids;
      const rhs = child(s, 'right')!.kids;
      const existing = lhs.map((l) => (text(l) !== '_' ? c.scope.names.get(text(l)) : undefined));
      const targets = existing.map((o) => (o?.kind === 'var' ? o.type : undefined));
      const types = rhsTypes(c, lhs.length, rhs, targets, s.start);
      lhs.forEach((l, i) => {
        const o = existing[i];
        if (o?.kind === 'var') {
          l.obj = o;
          o.assigns++;
          l.type = o.type;
        } else if (text(l) !== '_') {
          const v = declareLocal(c, l, defaultType(types[i] ?? T.unknown), s);
          l.type = v.type;
        }
      });
      return;
    }
    case 'var_declaration': {
      const specs = s.kids
        .flatMap((k) => (k.kind === 'var_spec_list' ? k.kids : [k]))
        .filter((k) => k.kind === 'var_spec');
      for (const spec of specs) {
        const names = children(spec, 'name');
        const tn = child(spec, 'type');
        const declared = tn ? resolveType(c, tn) : undefined;
        const values = child(spec, 'value');
        let types: Type[] = [];
        if (values)
          types = rhsTypes(
            c,
            names.length,
            values.kids,
            names.map(() => declared),
            -1,
          );
        names.forEach((nm, i) => {
          if (text(nm) === '_') return;
          declareLocal(c, nm, declared ?? defaultType(types[i] ?? T.unknown), values ? spec : null);
        });
      }
      return;
    }
    case 'const_declaration':
      declareConsts(c, s, c.scope);
      return;
    case 'type_declaration':
      for (const spec of s.kids) {
        const name = text(child(spec, 'name')!);
        if (spec.kind === 'type_alias') {
          c.scope.declare(name, { kind: 'type', name, type: resolveType(c, child(spec, 'type')!) });
        } else {
          const nt: NamedType = { k: 'named', name, pkg: '', underlying: T.unknown, methods: new Map() };
          c.scope.declare(name, { kind: 'type', name, type: nt });
          nt.underlying = under(resolveType(c, child(spec, 'type')!));
          declarationsChanged();
        }
      }
      return;
    case 'assignment_statement': {
      const lhs = child(s, 'left')!.kids;
      const rhs = child(s, 'right')!.kids;
      const op = text(child(s, 'operator')!);
      const lt = lhs.map((l) => (text(l) === '_' ? undefined : exprType(c, l)));
      if (op === '=') rhsTypes(c, lhs.length, rhs, lt, lhs[lhs.length - 1]!.start);
      else for (const r of rhs) assignTo(c, r, lt[0], s.start);
      lhs.forEach(noteAssign);
      return;
    }
    case 'inc_statement':
    case 'dec_statement':
      exprType(c, s.kids[0]!);
      noteAssign(s.kids[0]!);
      return;
    case 'send_statement': {
      const ch = under(exprType(c, child(s, 'channel')!));
      assignTo(c, child(s, 'value')!, ch.k === 'chan' ? ch.elem : undefined, s.start);
      return;
    }
    case 'return_statement': {
      const list = s.kids[0];
      if (!list || !c.fn) return;
      const vals = list.kids;
      const res = c.fn.results;
      if (vals.length === 1 && res.length > 1) exprType(c, vals[0]!);
      else vals.forEach((v, i) => assignTo(c, v, res[i]?.type, -1));
      return;
    }
    case 'go_statement':
    case 'defer_statement':
      exprType(c, s.kids[0]!);
      return;
    case 'if_statement': {
      const ic = nested(c);
      const init = child(s, 'initializer');
      if (init) stmt(ic, init);
      exprType(ic, child(s, 'condition')!);
      stmt(ic, child(s, 'consequence')!);
      const alt = child(s, 'alternative');
      if (alt) stmt(ic, alt);
      return;
    }
    case 'for_statement': {
      const fc = nested(c);
      for (const k of s.kids) {
        if (k.kind === 'for_clause') {
          const init = child(k, 'initializer');
          if (init) stmt(fc, init);
          const cond = child(k, 'condition');
          if (cond) exprType(fc, cond);
          const upd = child(k, 'update');
          if (upd) stmt(fc, upd);
        } else if (k.kind === 'range_clause') rangeClause(fc, k);
        else if (k.field !== 'body') exprType(fc, k);
      }
      stmt(fc, child(s, 'body')!);
      return;
    }
    case 'expression_switch_statement': {
      const sc = nested(c);
      const init = child(s, 'initializer');
      if (init) stmt(sc, init);
      const v = child(s, 'value');
      const vt = v ? exprType(sc, v) : undefined;
      for (const cs of s.kids) {
        if (cs.kind !== 'expression_case' && cs.kind !== 'default_case') continue;
        const cc = nested(sc);
        const vals = child(cs, 'value');
        for (const e of vals?.kids ?? []) {
          if (vt) assignTo(cc, e, vt, e.start);
          else exprType(cc, e);
        }
        for (const k of cs.kids) if (k.kind === 'statement_list') stmt(cc, k);
      }
      return;
    }
    case 'type_switch_statement':
      typeSwitch(c, s);
      return;
    case 'select_statement':
      for (const cs of s.kids) {
        const cc = nested(c);
        const comm = child(cs, 'communication');
        if (comm?.kind === 'send_statement') stmt(cc, comm);
        else if (comm?.kind === 'receive_statement') {
          const right = child(comm, 'right')!;
          const left = child(comm, 'left');
          const rt = exprType(cc, right);
          if (left) {
            const define = c.pkg && s.file.text.slice(left.end, right.start).includes(':=');
            const types = [rt, T.bool];
            left.kids.forEach((l, i) => {
              if (define) {
                if (text(l) !== '_') declareLocal(cc, l, types[i]!, comm);
              } else {
                exprType(cc, l);
                noteAssign(l);
              }
            });
          }
        }
        for (const k of cs.kids) if (k.kind === 'statement_list') stmt(cc, k);
      }
      return;
    case 'labeled_statement':
      for (const k of s.kids) if (k.kind !== 'label_name') stmt(c, k);
      return;
    default:
      return;
  }
}

function rangeClause(c: Ctx, k: Node): void {
  const right = child(k, 'right')!;
  const left = child(k, 'left');
  const xt = exprType(c, right);
  const u = under(xt);
  let kt: Type = T.int;
  let vt: Type = T.unknown;
  if (u.k === 'slice' || u.k === 'array') vt = u.elem;
  else if (u.k === 'pointer' && under(u.elem).k === 'array') vt = (under(u.elem) as { elem: Type }).elem;
  else if (u.k === 'basic' && (u.name === 'string' || u.name === 'untyped string')) vt = T.int32;
  else if (u.k === 'map') {
    kt = u.key;
    vt = u.elem;
  } else if (u.k === 'chan') kt = u.elem;
  if (!left) return;
  const define = k.file.text.slice(left.end, right.start).includes(':=');
  const types = [kt, vt];
  left.kids.forEach((l, i) => {
    if (define) {
      if (text(l) !== '_') declareLocal(c, l, types[i]!, k);
    } else if (text(l) !== '_') {
      exprType(c, l);
      noteAssign(l);
    }
  });
}

function typeSwitch(c: Ctx, s: Node): void {
  const sc = nested(c);
  const init = child(s, 'initializer');
  if (init) stmt(sc, init);
  const alias = child(s, 'alias');
  const value = child(s, 'value')!;
  const gt = exprType(sc, value);
  for (const cs of s.kids) {
    if (cs.kind !== 'type_case' && cs.kind !== 'default_case') continue;
    const cc = nested(sc);
    const types = children(cs, 'type').filter((t) => t.kind !== ',');
    let vt = gt;
    const resolved = types.map((t) => (t.kind === 'nil' || text(t) === 'nil' ? undefined : resolveType(cc, t)));
    if (types.length === 1 && resolved[0]) vt = resolved[0];
    if (alias && alias.kids[0] && text(alias.kids[0]) !== '_') {
      const v = newVar(text(alias.kids[0]), vt, null, c.fn, 'auto');
      // Each clause has its own variable, reported at the clause.
      v.decl = cs;
      v.defn = s;
      cc.scope.declare(v.name, v);
      cs.data = { caseVar: v };
    }
    for (const k of cs.kids) if (k.kind === 'statement_list') stmt(cc, k);
  }
}
