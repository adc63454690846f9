// The single-package type checker: collects package-level declarations, resolves type
// expressions (struct layouts, method sets, embedding), and drives the expression and
// statement checkers (check-expr.ts, check-stmt.ts) over every function body. It annotates
// the syntax tree in place; the escape walker relies on those annotations for everything
// Go's IR makes explicit: which call is a conversion, where a value is implicitly boxed into
// an interface, which selector goes through a pointer, which variable a name refers to.
// Imported packages are checked from small declaration stubs (stdlib-stubs.ts); anything not
// stubbed becomes an opaque object so analysis stays conservative instead of failing.

import { child, children, cloneFile, text, type Node, type SourceFile } from './ast.js';
import { Scope, universe } from './scope.js';
import { checkFuncBody } from './check-stmt.js';
import { constExpr, exprType } from './check-expr.js';
import { stubSource } from './stdlib-stubs.js';
import {
  T,
  newFuncInfo,
  under,
  type Field,
  type FuncInfo,
  type NamedType,
  type Signature,
  type Type,
  type TypeObj,
  type VarObj,
  type ConstObj,
  type Obj,
} from './types.js';

export interface Package {
  name: string;
  path: string;
  scope: Scope;
  /** Top-level functions and methods in source order. */
  funcs: FuncInfo[];
  files: SourceFile[];
  external: boolean;
  /** Package-level variable specs with initialisers, in declaration order (see init.ts). */
  inits?: { vars: VarObj[]; values: Node[] }[];
  /** Function literals in package-level initialisers (Go's glob..funcN), in the order checked. */
  globFuncs?: FuncInfo[];
}

export interface Program {
  universe: Scope;
  packages: Map<string, Package>;
  parse: (name: string, text: string) => SourceFile;
}

export function newProgram(parse: (name: string, text: string) => SourceFile): Program {
  return { universe: universe(), packages: new Map(), parse };
}

/** Context the expression/statement checkers share while walking one function. */
export interface Ctx {
  pkg: Package;
  prog: Program;
  fn: FuncInfo | null;
  scope: Scope;
  iota?: bigint;
  fileScope: Scope;
}

const stubFiles = new Map<string, SourceFile>();

export function importPackage(prog: Program, path: string): Package {
  const have = prog.packages.get(path);
  if (have) return have;
  const name = path.split('/').pop()!;
  const src = stubSource(path);
  const pkg: Package = { name, path, scope: new Scope(prog.universe), funcs: [], files: [], external: true };
  prog.packages.set(path, pkg);
  if (src) {
    // Stubs are the same text in every analysis: parsed once per process, and each program
    // checks (annotates) its own copy of the pristine tree.
    let pristine = stubFiles.get(path);
    if (!pristine) stubFiles.set(path, (pristine = prog.parse(`$stub/${path}.go`, src)));
    checkPackage(prog, pkg, [cloneFile(pristine)]);
  }
  return pkg;
}

export function checkPackage(prog: Program, pkg: Package, files: SourceFile[]): void {
  pkg.files = files;
  const fileScopes = new Map<SourceFile, Scope>();
  type Pending = {
    kind: 'type' | 'alias' | 'const' | 'var' | 'func' | 'method';
    node: Node;
    file: SourceFile;
    extra?: unknown;
  };
  const pending: Pending[] = [];
  for (const f of files) {
    const fs = new Scope(pkg.scope);
    fileScopes.set(f, fs);
    for (const d of f.root.kids) {
      switch (d.kind) {
        case 'package_clause':
          if (!pkg.external) pkg.name = text(d.kids[0]!);
          break;
        case 'import_declaration':
          for (const spec of allImportSpecs(d)) {
            const pathNode = child(spec, 'path')!;
            const path = text(pathNode).slice(1, -1);
            const alias = child(spec, 'name');
            const local = alias ? text(alias) : path.split('/').pop()!;
            if (local === '_' || local === '.') continue;
            fs.declare(local, { kind: 'pkg', name: local, path });
          }
          break;
        case 'type_declaration':
          for (const s of d.kids) {
            const nameNode = child(s, 'name')!;
            const name = text(nameNode);
            if (s.kind === 'type_alias') {
              const obj: TypeObj = { kind: 'type', name, type: T.unknown };
              pkg.scope.declare(name, obj);
              pending.push({ kind: 'alias', node: s, file: f, extra: obj });
            } else {
              const nt: NamedType = {
                k: 'named',
                name,
                pkg: pkg.external ? pkg.name : '',
                underlying: T.unknown,
                methods: new Map(),
              };
              pkg.scope.declare(name, { kind: 'type', name, type: nt });
              pending.push({ kind: 'type', node: s, file: f, extra: nt });
            }
          }
          break;
        case 'const_declaration':
          pending.push({ kind: 'const', node: d, file: f });
          break;
        case 'var_declaration':
          pending.push({ kind: 'var', node: d, file: f });
          break;
        case 'function_declaration':
          pending.push({ kind: 'func', node: d, file: f });
          break;
        case 'method_declaration':
          pending.push({ kind: 'method', node: d, file: f });
          break;
      }
    }
  }
  const ctxFor = (f: SourceFile): Ctx => {
    const fs = fileScopes.get(f)!;
    return { pkg, prog, fn: null, scope: fs, fileScope: fs };
  };
  // Constants are evaluated lazily so that forward references between them resolve.
  for (const p of pending) if (p.kind === 'const') declareConsts(ctxFor(p.file), p.node, pkg.scope);
  for (const p of pending) {
    const c = ctxFor(p.file);
    if (p.kind === 'alias') (p.extra as TypeObj).type = resolveType(c, child(p.node, 'type')!);
    if (p.kind === 'type') {
      const nt = p.extra as NamedType;
      nt.underlying = under(resolveType(c, child(p.node, 'type')!));
      declarationsChanged();
    }
  }
  const bodies: { fn: FuncInfo; ctx: Ctx }[] = [];
  for (const p of pending) {
    if (p.kind !== 'func' && p.kind !== 'method') continue;
    const c = ctxFor(p.file);
    const fn = declareFunc(c, p.node, pkg);
    if (p.kind === 'func') {
      const name = text(child(p.node, 'name')!);
      if (name !== 'init' && name !== '_') pkg.scope.declare(name, { kind: 'func', name, info: fn });
    }
    pkg.funcs.push(fn);
    bodies.push({ fn, ctx: { ...c, fn } });
  }
  for (const p of pending) if (p.kind === 'var') declareGlobals(ctxFor(p.file), p.node, pkg);
  if (pkg.external) return;
  // Function literals of package-level initialisers are functions of their own (glob..funcN),
  // analysed in source order among the declared functions.
  if (pkg.globFuncs?.length) {
    const order = (f: FuncInfo) => (f.node ? files.indexOf(f.node.file) * 2 ** 32 + f.node.start : 0);
    pkg.funcs = [...pkg.funcs, ...pkg.globFuncs].sort((a, b) => order(a) - order(b));
  }
  for (const { fn, ctx } of bodies) if (fn.body) checkFuncBody(ctx, fn);
}

function allImportSpecs(d: Node): Node[] {
  const out: Node[] = [];
  for (const k of d.kids) {
    if (k.kind === 'import_spec') out.push(k);
    else if (k.kind === 'import_spec_list') out.push(...k.kids.filter((x) => x.kind === 'import_spec'));
  }
  return out;
}

export function declareConsts(c: Ctx, decl: Node, scope: Scope): void {
  let prevType: Node | undefined;
  let prevValues: Node[] = [];
  let iota = 0n;
  for (const spec of decl.kids) {
    if (spec.kind !== 'const_spec') continue;
    const names = children(spec, 'name');
    const typeNode = child(spec, 'type');
    const values = child(spec, 'value');
    const valueNodes = values ? values.kids : prevValues;
    const tnode = values ? typeNode : prevType;
    if (values) {
      prevValues = values.kids;
      prevType = typeNode;
    }
    const myIota = iota;
    names.forEach((nameNode, i) => {
      const name = text(nameNode);
      const obj: ConstObj = { kind: 'const', name, type: T.unknown, value: undefined };
      const vnode = valueNodes[i];
      let done = false;
      const evaluate = () => {
        if (done) return;
        done = true;
        if (!vnode) return;
        const sub: Ctx = { ...c, iota: myIota };
        const r = constExpr(sub, vnode);
        obj.value = r.value;
        obj.type = tnode ? resolveType(sub, tnode) : r.type;
      };
      Object.defineProperty(obj, 'type', {
        get: () => (evaluate(), typeOf),
        set: (t: Type) => (typeOf = t),
        enumerable: true,
        configurable: true,
      });
      Object.defineProperty(obj, 'value', {
        get: () => (evaluate(), valueOf),
        set: (v) => (valueOf = v),
        enumerable: true,
        configurable: true,
      });
      let typeOf: Type = T.unknown;
      let valueOf: ConstObj['value'] = undefined;
      nameNode.obj = obj;
      scope.declare(name, obj);
    });
    iota++;
  }
}

function declareGlobals(c: Ctx, decl: Node, pkg: Package): void {
  const specs = decl.kids
    .flatMap((k) => (k.kind === 'var_spec_list' ? k.kids : [k]))
    .filter((k) => k.kind === 'var_spec');
  for (const spec of specs) {
    const names = children(spec, 'name');
    const tnode = child(spec, 'type');
    const values = child(spec, 'value');
    let types: Type[] = [];
    if (tnode) types = names.map(() => resolveType(c, tnode));
    else if (values) {
      try {
        const vs = values.kids.map((v) => exprType(c, v));
        types = vs.length === 1 && vs[0]!.k === 'tuple' ? vs[0]!.types : vs;
      } catch {
        types = [];
      }
    }
    const vars = names.map((n, i) => {
      const v: VarObj = {
        kind: 'var',
        name: text(n),
        type: defaultOf(types[i] ?? T.unknown),
        decl: n,
        fn: null,
        cls: 'global',
        resultIndex: 0,
        defn: null,
        assigns: 0,
        addrTaken: false,
      };
      n.obj = v;
      pkg.scope.declare(v.name, v);
      return v;
    });
    if (values && !pkg.external) (pkg.inits ??= []).push({ vars, values: values.kids });
  }
}

function defaultOf(t: Type): Type {
  if (t.k === 'basic' && t.name.startsWith('untyped')) {
    return (
      (
        {
          'untyped int': T.int,
          'untyped float': T.float64,
          'untyped rune': T.int32,
          'untyped string': T.string,
          'untyped bool': T.bool,
        } as Record<string, Type>
      )[t.name] ?? t
    );
  }
  return t;
}

export function declareFunc(c: Ctx, node: Node, pkg: Package): FuncInfo {
  const isMethod = node.kind === 'method_declaration';
  const name = text(child(node, 'name')!);
  const fn = newFuncInfo(name, node, child(node, 'body') ?? null, null, pragmasFor(node));
  if (pkg.external) fn.external = pkg.path;
  if (child(node, 'type_parameters')) fn.generic = true;
  if (isMethod) {
    const rl = child(node, 'receiver')!;
    const rd = rl.kids.find((k) => k.kind === 'parameter_declaration');
    if (rd) {
      const tn = child(rd, 'type')!;
      if (tn.kind === 'generic_type' || (tn.kind === 'pointer_type' && tn.kids[0]?.kind === 'generic_type'))
        fn.generic = true;
      const rt = resolveType(c, tn);
      const nameNode = child(rd, 'name');
      const recv = newVar(nameNode ? text(nameNode) : '', rt, nameNode ?? null, fn, 'param');
      fn.recv = recv;
      fn.sig.recv = rt;
      const base = rt.k === 'pointer' ? rt.elem : rt;
      fn.pointerRecv = rt.k === 'pointer';
      if (base.k === 'named') {
        fn.recvNamed = base;
        base.methods.set(name, fn);
        declarationsChanged();
        const qual = base.pkg ? base.pkg + '.' : '';
        fn.name = fn.pointerRecv ? `(*${qual}${base.name}).${name}` : `${qual}${base.name}.${name}`;
      }
    }
  } else if (pkg.external) fn.name = `${pkg.name}.${name}`;
  signatureInto(c, fn, child(node, 'parameters')!, child(node, 'result'));
  return fn;
}

function pragmasFor(node: Node): Set<string> {
  // Directives apply to the next declaration, across blank lines and other comments.
  const file = node.file;
  const out = new Set<string>();
  for (let l = lineOf(file, node.start) - 1; l > 0; l--) {
    const ls = file.text.slice(file.lineStarts[l - 1]!, file.lineStarts[l] ?? file.text.length).trim();
    if (ls !== '' && !ls.startsWith('//')) break;
    for (const p of file.pragmas.get(l) ?? []) out.add(p);
  }
  return out;
}

function lineOf(file: SourceFile, off: number): number {
  let lo = 0,
    hi = file.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (file.lineStarts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

export function newVar(name: string, type: Type, decl: Node | null, fn: FuncInfo | null, cls: VarObj['cls']): VarObj {
  const v: VarObj = {
    kind: 'var',
    name,
    type,
    decl,
    fn,
    cls,
    resultIndex: 0,
    defn: null,
    assigns: 0,
    addrTaken: false,
  };
  if (decl) decl.obj = v;
  if (fn && name !== '') fn.dcl.push(v);
  return v;
}

/** Fills fn's signature and parameter/result variables from the syntax. */
export function signatureInto(c: Ctx, fn: FuncInfo, params: Node, result: Node | undefined): void {
  for (const pd of params.kids) {
    if (pd.kind !== 'parameter_declaration' && pd.kind !== 'variadic_parameter_declaration') continue;
    let t = resolveType(c, child(pd, 'type')!);
    if (pd.kind === 'variadic_parameter_declaration') {
      t = { k: 'slice', elem: t };
      fn.sig.variadic = true;
    }
    const names = children(pd, 'name');
    if (names.length === 0) {
      fn.sig.params.push(t);
      fn.sig.paramNames.push('');
      fn.params.push(newVar('', t, null, fn, 'param'));
    }
    for (const n of names) {
      fn.sig.params.push(t);
      fn.sig.paramNames.push(text(n));
      fn.params.push(newVar(text(n), t, n, fn, 'param'));
    }
  }
  if (!result) return;
  if (result.kind !== 'parameter_list') {
    const t = resolveType(c, result);
    fn.sig.results.push(t);
    const v = newVar('~r0', t, null, fn, 'result');
    v.resultIndex = 1;
    fn.results.push(v);
    return;
  }
  for (const pd of result.kids) {
    if (pd.kind !== 'parameter_declaration') continue;
    const t = resolveType(c, child(pd, 'type')!);
    const names = children(pd, 'name');
    const list = names.length ? names : [null];
    for (const n of list) {
      fn.sig.results.push(t);
      const idx = fn.results.length;
      const v = newVar(n ? text(n) : `~r${idx}`, t, n, fn, 'result');
      v.resultIndex = idx + 1;
      fn.results.push(v);
    }
  }
}

/** Resolves a type expression; unknown names give the `unknown` type rather than an error. */
export function resolveType(c: Ctx, n: Node): Type {
  switch (n.kind) {
    case 'type_identifier':
    case 'identifier': {
      const o = c.scope.lookup(text(n));
      if (o && o.kind === 'type') return o.type;
      return T.unknown;
    }
    case 'qualified_type':
    case 'selector_expression': {
      const pkgNode = n.kind === 'qualified_type' ? child(n, 'package')! : child(n, 'operand')!;
      const nameNode = n.kind === 'qualified_type' ? child(n, 'name')! : child(n, 'field')!;
      const o = c.scope.lookup(text(pkgNode));
      if (o?.kind === 'pkg') return packageType(c, o.path, text(nameNode));
      return T.unknown;
    }
    case 'pointer_type':
      return { k: 'pointer', elem: resolveType(c, n.kids[0]!) };
    case 'unary_expression':
      return { k: 'pointer', elem: resolveType(c, child(n, 'operand')!) };
    case 'parenthesized_type':
    case 'parenthesized_expression':
      return resolveType(c, n.kids[0]!);
    case 'slice_type':
      return { k: 'slice', elem: resolveType(c, child(n, 'element')!) };
    case 'array_type': {
      const len = constExpr(c, child(n, 'length')!).value;
      return {
        k: 'array',
        elem: resolveType(c, child(n, 'element')!),
        len: len && len.k === 'int' ? Number(len.v) : 0,
      };
    }
    case 'implicit_length_array_type':
      return { k: 'array', elem: resolveType(c, child(n, 'element')!), len: -1 };
    case 'map_type':
      return { k: 'map', key: resolveType(c, child(n, 'key')!), elem: resolveType(c, child(n, 'value')!) };
    case 'channel_type': {
      const src = text(n);
      return {
        k: 'chan',
        elem: resolveType(c, child(n, 'value')!),
        dir: src.startsWith('<-') ? 'recv' : /^chan\s*<-/.test(src) ? 'send' : 'both',
      };
    }
    case 'function_type': {
      const tmp = newFuncInfo('');
      signatureInto(c, tmp, child(n, 'parameters')!, child(n, 'result'));
      return { k: 'func', sig: tmp.sig };
    }
    case 'struct_type': {
      const fields: Field[] = [];
      const list = n.kids.find((k) => k.kind === 'field_declaration_list');
      for (const fd of list?.kids ?? []) {
        if (fd.kind !== 'field_declaration') continue;
        const tn = child(fd, 'type')!;
        const t = resolveType(c, tn);
        const names = children(fd, 'name');
        if (names.length === 0) {
          const bare = t.k === 'pointer' ? t.elem : t;
          const fname = bare.k === 'named' ? bare.name : text(tn).replace(/^\*/, '').split('.').pop()!;
          fields.push({ name: fname, type: t, embedded: true });
        } else for (const nm of names) fields.push({ name: text(nm), type: t, embedded: false });
      }
      return { k: 'struct', fields };
    }
    case 'interface_type': {
      const methods = new Map<string, Signature>();
      const embeds: Type[] = [];
      for (const el of n.kids) {
        if (el.kind === 'method_elem') {
          const tmp = newFuncInfo('');
          signatureInto(c, tmp, child(el, 'parameters')!, child(el, 'result'));
          methods.set(text(child(el, 'name')!), tmp.sig);
        } else if (el.kind === 'type_elem' && el.kids.length === 1) {
          embeds.push(resolveType(c, el.kids[0]!));
        }
      }
      return { k: 'interface', methods, embeds };
    }
    case 'generic_type':
      return resolveType(c, child(n, 'type')!);
    default:
      return T.unknown;
  }
}

export function packageType(c: Ctx, path: string, name: string): Type {
  if (path === 'unsafe' && name === 'Pointer') return T.unsafePointer;
  const pkg = importPackage(c.prog, path);
  const o = pkg.scope.names.get(name);
  if (o?.kind === 'type') return o.type;
  const opaque: NamedType = {
    k: 'named',
    name,
    pkg: pkg.name,
    underlying: { k: 'struct', fields: [] },
    methods: new Map(),
    opaque: true,
  };
  pkg.scope.declare(name, { kind: 'type', name, type: opaque });
  return opaque;
}

export function packageMember(c: Ctx, path: string, name: string): Obj | undefined {
  const pkg = importPackage(c.prog, path);
  return pkg.scope.names.get(name);
}

/** One step of a selector path: the field or method reached, and whether its base was a pointer. */
export interface SelStep {
  ptr: boolean;
  field: Field;
}

export type Selection =
  | { kind: 'field'; steps: SelStep[]; type: Type }
  | { kind: 'method'; steps: SelStep[]; fn: FuncInfo; basePtr: boolean }
  | { kind: 'imethod'; steps: SelStep[]; sig: Signature; basePtr: boolean };

/**
 * Declarations change what a selector finds (a method added to a type, an underlying type
 * resolved); every such change bumps this generation, and answers cached in an older one are
 * recomputed. Function bodies declare nothing a selection depends on except local types, so
 * while they are checked the cache holds.
 */
let declGen = 0;
export function declarationsChanged(): void {
  declGen++;
}

/**
 * Field/method lookup with Go's embedding rules: the shallowest match wins. The answer depends
 * only on the named type (or the named type a pointer points to), whether it was reached
 * through that pointer, and the name, so it is cached on the named type: selectors repeat the
 * same few names on the same few types, and the cached `Selection` is shared (never mutated).
 */
export function lookupFieldOrMethod(t: Type, name: string): Selection | undefined {
  const ut = under(t);
  const isPtr = ut.k === 'pointer';
  const base = isPtr ? ut.elem : t;
  if (base.k !== 'named') return findFieldOrMethod(t, name);
  let cache = base.selections;
  if (!cache || cache.gen !== declGen) cache = base.selections = { gen: declGen, direct: new Map(), ptr: new Map() };
  const byName = isPtr ? cache.ptr : cache.direct;
  const have = byName.get(name);
  if (have !== undefined) return have ?? undefined;
  const found = findFieldOrMethod(t, name);
  byName.set(name, found ?? null);
  return found;
}

function findFieldOrMethod(t: Type, name: string): Selection | undefined {
  // Most selectors name something declared on the type itself: answer those without the
  // breadth-first walk's bookkeeping; embedded structs fall through to the full search.
  {
    const ut = under(t);
    const isPtr = ut.k === 'pointer';
    const ty = ut.k === 'pointer' ? ut.elem : t;
    if (ty.k === 'named') {
      const m = ty.methods.get(name);
      if (m) return { kind: 'method', steps: [], fn: m, basePtr: isPtr };
    }
    const u = under(ty);
    if (u.k === 'interface') {
      const sig = flattenIface(u).get(name);
      if (sig) return { kind: 'imethod', steps: [], sig, basePtr: isPtr };
    }
    if (u.k !== 'struct') return undefined;
    let embeds = false;
    for (const f of u.fields) {
      if (f.name === name) return { kind: 'field', steps: [{ ptr: isPtr, field: f }], type: f.type };
      if (f.embedded) embeds = true;
    }
    if (!embeds) return undefined;
  }
  type Cand = { t: Type; steps: SelStep[] };
  let level: Cand[] = [{ t, steps: [] }];
  const seen = new Set<Type>();
  for (let depth = 0; depth < 8 && level.length; depth++) {
    const next: Cand[] = [];
    for (const cand of level) {
      let ty = cand.t;
      const isPtr = under(ty).k === 'pointer' && (ty.k !== 'named' || depth === 0);
      if (under(ty).k === 'pointer') ty = (under(ty) as { elem: Type }).elem;
      if (ty.k === 'named') {
        if (seen.has(ty)) continue;
        seen.add(ty);
        const m = ty.methods.get(name);
        if (m) return { kind: 'method', steps: cand.steps, fn: m, basePtr: isPtr };
      }
      const u = under(ty);
      if (u.k === 'interface') {
        // Interface methods come from the interface's (flattened) method set.
        const ms = flattenIface(u);
        const sig = ms.get(name);
        if (sig) return { kind: 'imethod', steps: cand.steps, sig, basePtr: isPtr };
      }
      if (u.k === 'struct') {
        for (const f of u.fields) {
          if (f.name === name) return { kind: 'field', steps: [...cand.steps, { ptr: isPtr, field: f }], type: f.type };
        }
        for (const f of u.fields)
          if (f.embedded) next.push({ t: f.type, steps: [...cand.steps, { ptr: isPtr, field: f }] });
      }
    }
    level = next;
  }
  return undefined;
}

/** Method sets of interfaces, flattened once each (bodies are checked after all types resolve). */
const flatCache = new WeakMap<Type, Map<string, Signature>>();

function flattenIface(u: Type, depth = 0): Map<string, Signature> {
  const x = under(u);
  if (x.k !== 'interface') return new Map();
  if (depth === 0) {
    const have = flatCache.get(x);
    if (have) return have;
    const m = flattenIfaceUncached(x, 0);
    // An embedded type still being declared would change the set later: do not keep that one.
    if (x.embeds.every((e) => under(e).k !== 'unknown')) flatCache.set(x, m);
    return m;
  }
  return flattenIfaceUncached(x, depth);
}

function flattenIfaceUncached(x: Type & { k: 'interface' }, depth: number): Map<string, Signature> {
  const m = new Map(x.methods);
  if (depth < 10) for (const e of x.embeds) for (const [k, v] of flattenIface(e, depth + 1)) m.set(k, v);
  return m;
}
