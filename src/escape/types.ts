// Go's type model as far as escape analysis needs it: layouts with amd64 sizes and alignment
// (the 128-byte capture rule and the 64 KiB / 10 MiB stack limits depend on them), whether a
// type holds pointers (values without pointers never carry escapes), whether it is
// pointer-shaped (stored directly in an interface word, so conversion needs no box), method
// sets, identity, and the compiler's way of printing types in messages.

import type { Node } from './ast.js';
import type { Selection } from './check.js';

export type BasicName =
  | 'bool'
  | 'int'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'uintptr'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128'
  | 'string'
  | 'unsafe.Pointer'
  | 'untyped int'
  | 'untyped float'
  | 'untyped rune'
  | 'untyped string'
  | 'untyped bool'
  | 'untyped nil'
  | 'untyped complex';

export type Type =
  | { k: 'basic'; name: BasicName; alias?: string }
  | { k: 'pointer'; elem: Type }
  | { k: 'slice'; elem: Type }
  | { k: 'array'; elem: Type; len: number }
  | { k: 'map'; key: Type; elem: Type }
  | { k: 'chan'; elem: Type; dir: string }
  | { k: 'func'; sig: Signature }
  | { k: 'struct'; fields: Field[] }
  | { k: 'interface'; methods: Map<string, Signature>; embeds: Type[]; resolved?: boolean }
  | { k: 'tuple'; types: Type[] }
  | NamedType
  | { k: 'unknown' };

export interface SelectionCache {
  /** The declaration generation the answers were computed in (see check.ts declGen). */
  gen: number;
  direct: Map<string, Selection | null>;
  ptr: Map<string, Selection | null>;
}

export interface NamedType {
  k: 'named';
  name: string;
  /** Package qualifier for printing ('' for the package being analysed). */
  pkg: string;
  underlying: Type;
  methods: Map<string, FuncInfo>;
  /** Imported types whose layout we do not know. */
  opaque?: boolean;
  /** lookupFieldOrMethod's answers through this type (`ptr`: through a pointer to it). */
  selections?: SelectionCache;
  resolving?: boolean;
}

export interface Field {
  name: string;
  type: Type;
  embedded: boolean;
}

export interface Signature {
  params: Type[];
  paramNames: string[];
  results: Type[];
  variadic: boolean;
  recv?: Type;
  /** The type of a call with several (or no) results, made once per signature. */
  resultTuple?: Type;
}

export type ConstValue =
  { k: 'int'; v: bigint } | { k: 'float'; v: number } | { k: 'string'; v: string } | { k: 'bool'; v: boolean };

export interface VarObj {
  kind: 'var';
  name: string;
  type: Type;
  decl: Node | null;
  /** Function that declares it; null for package-level variables. */
  fn: FuncInfo | null;
  cls: 'auto' | 'param' | 'result' | 'global';
  resultIndex: number;
  /** Statement that defines it (short var decl, var spec with value, range, type switch), if any. */
  defn: Node | null;
  /** Number of assignments other than the defining one, and whether & is ever taken. */
  assigns: number;
  addrTaken: boolean;
  loc?: unknown;
}

export interface ConstObj {
  kind: 'const';
  name: string;
  type: Type;
  value: ConstValue | undefined;
}
export interface TypeObj {
  kind: 'type';
  name: string;
  type: Type;
}
export interface FuncObj {
  kind: 'func';
  name: string;
  info: FuncInfo;
}
export interface PkgObj {
  kind: 'pkg';
  name: string;
  path: string;
}
export interface BuiltinObj {
  kind: 'builtin';
  name: string;
}
export interface NilObj {
  kind: 'nil';
}
export type Obj = VarObj | ConstObj | TypeObj | FuncObj | PkgObj | BuiltinObj | NilObj;

export interface FuncInfo {
  /** Printed name: f, (*T).M, T.M, f.func1 */
  name: string;
  node: Node | null;
  sig: Signature;
  recv: VarObj | null;
  params: VarObj[];
  results: VarObj[];
  body: Node | null;
  outer: FuncInfo | null;
  closures: FuncInfo[];
  closureVars: VarObj[];
  /** Where each captured variable is first used inside this closure (-m=2 prints it). */
  closureVarUse?: Map<VarObj, Node>;
  pragmas: Set<string>;
  closureCalled: boolean;
  /** Every variable declared in the function (params, results, locals), in declaration order. */
  dcl: VarObj[];
  /** Leak tags of recv+params after analysis (or from a summary). */
  tags?: (Leaks | null)[];
  /** Imported function known only by its summary or not at all. */
  external?: string;
  pointerRecv?: boolean;
  recvNamed?: NamedType;
  state?: number;
  closureCount?: number;
  /** Has type parameters (itself or through its receiver): Go 1.19 analyses only the shape
   *  instantiations, so it prints no parameter diagnostics for the generic body. */
  generic?: boolean;
  /** Top-level functions only: the nodes in its body (closures included) that refer to a
   *  function or method of this package, recorded by the checker for the call graph. */
  refs?: Node[];
  /** Go's generated package `init`: the run-time parts of package-level initialisers (init.ts). */
  initAssigns?: { vars: VarObj[]; roots: Node[]; at: Node }[];
}

/**
 * A function before the checker has read its signature: no parameters, results or closures yet. One
 * constructor, so every FuncInfo has the same fields in the same order.
 */
export function newFuncInfo(
  name: string,
  node: Node | null = null,
  body: Node | null = null,
  outer: FuncInfo | null = null,
  pragmas: Set<string> = new Set(),
): FuncInfo {
  return {
    name,
    node,
    sig: { params: [], paramNames: [], results: [], variadic: false },
    recv: null,
    params: [],
    results: [],
    body,
    outer,
    closures: [],
    closureVars: [],
    pragmas,
    closureCalled: false,
    dcl: [],
  };
}

/** Slot 0 = heap, 1..7 = results; value = min derefs, -1 = no flow. */
export type Leaks = number[];
export const numEscResults = 7;
export function emptyLeaks(): Leaks {
  return new Array(1 + numEscResults).fill(-1);
}

export const T = {
  bool: { k: 'basic', name: 'bool' } as Type,
  int: { k: 'basic', name: 'int' } as Type,
  int32: { k: 'basic', name: 'int32' } as Type,
  uint8: { k: 'basic', name: 'uint8' } as Type,
  uintptr: { k: 'basic', name: 'uintptr' } as Type,
  float64: { k: 'basic', name: 'float64' } as Type,
  complex128: { k: 'basic', name: 'complex128' } as Type,
  string: { k: 'basic', name: 'string' } as Type,
  unsafePointer: { k: 'basic', name: 'unsafe.Pointer' } as Type,
  untypedInt: { k: 'basic', name: 'untyped int' } as Type,
  untypedFloat: { k: 'basic', name: 'untyped float' } as Type,
  untypedRune: { k: 'basic', name: 'untyped rune' } as Type,
  untypedString: { k: 'basic', name: 'untyped string' } as Type,
  untypedBool: { k: 'basic', name: 'untyped bool' } as Type,
  untypedNil: { k: 'basic', name: 'untyped nil' } as Type,
  untypedComplex: { k: 'basic', name: 'untyped complex' } as Type,
  unknown: { k: 'unknown' } as Type,
  emptyIface: { k: 'interface', methods: new Map(), embeds: [], resolved: true } as Type,
};

export function under(t: Type): Type {
  let u = t;
  for (let i = 0; u.k === 'named' && i < 50; i++) u = u.underlying;
  return u;
}

export function isUntyped(t: Type): boolean {
  return t.k === 'basic' && t.name.startsWith('untyped');
}

export function isInterface(t: Type): boolean {
  return under(t).k === 'interface';
}

const basicSizes: Record<string, number> = {
  bool: 1,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  int: 8,
  uint: 8,
  int64: 8,
  uint64: 8,
  uintptr: 8,
  float64: 8,
  complex64: 8,
  complex128: 16,
  string: 16,
  'unsafe.Pointer': 8,
};

export function sizeof(t: Type): number {
  const u = under(t);
  switch (u.k) {
    case 'basic':
      return basicSizes[u.name] ?? 8;
    case 'pointer':
    case 'map':
    case 'chan':
    case 'func':
      return 8;
    case 'slice':
      return 24;
    case 'interface':
      return 16;
    case 'array':
      return u.len * sizeof(u.elem);
    case 'struct': {
      let off = 0;
      let maxAlign = 1;
      for (const f of u.fields) {
        const a = alignof(f.type);
        maxAlign = Math.max(maxAlign, a);
        off = Math.ceil(off / a) * a + sizeof(f.type);
      }
      // A trailing zero-size field gets a byte of padding so its address stays inside the object.
      if (u.fields.length > 0 && sizeof(u.fields[u.fields.length - 1]!.type) === 0 && off > 0) off += 1;
      return Math.ceil(off / maxAlign) * maxAlign;
    }
    case 'tuple':
      return u.types.reduce((s, x) => s + sizeof(x), 0);
    default:
      return 8;
  }
}

export function alignof(t: Type): number {
  const u = under(t);
  switch (u.k) {
    case 'basic':
      if (u.name === 'complex128' || u.name === 'string') return 8;
      if (u.name === 'complex64') return 4;
      return Math.min(8, basicSizes[u.name] ?? 8);
    case 'array':
      return alignof(u.elem);
    case 'struct':
      return u.fields.reduce((m, f) => Math.max(m, alignof(f.type)), 1);
    default:
      return 8;
  }
}

export function hasPointers(t: Type, depth = 0): boolean {
  if (depth > 40) return true;
  if (t.k === 'named' && t.opaque) return true;
  const u = under(t);
  switch (u.k) {
    case 'basic':
      return (
        u.name === 'string' || u.name === 'unsafe.Pointer' || u.name === 'untyped string' || u.name === 'untyped nil'
      );
    case 'array':
      return u.len > 0 && hasPointers(u.elem, depth + 1);
    case 'struct':
      return u.fields.some((f) => hasPointers(f.type, depth + 1));
    case 'tuple':
      return u.types.some((x) => hasPointers(x, depth + 1));
    default:
      return true;
  }
}

/** Pointer-shaped types are stored directly in an interface's data word (no box). */
export function isDirectIface(t: Type): boolean {
  if (t.k === 'named' && t.opaque) return false;
  const u = under(t);
  switch (u.k) {
    case 'pointer':
    case 'chan':
    case 'map':
    case 'func':
      return true;
    case 'basic':
      return u.name === 'unsafe.Pointer';
    case 'array':
      return u.len === 1 && isDirectIface(u.elem);
    case 'struct':
      return u.fields.length === 1 && isDirectIface(u.fields[0]!.type);
    default:
      return false;
  }
}

export function identical(a: Type, b: Type, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 30) return false;
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'basic':
      return a.name === (b as typeof a).name;
    case 'named':
      return a.name === (b as NamedType).name && a.pkg === (b as NamedType).pkg;
    case 'pointer':
    case 'slice':
      return identical(a.elem, (b as typeof a).elem, depth + 1);
    case 'array':
      return a.len === (b as typeof a).len && identical(a.elem, (b as typeof a).elem, depth + 1);
    case 'map':
      return identical(a.key, (b as typeof a).key, depth + 1) && identical(a.elem, (b as typeof a).elem, depth + 1);
    case 'chan':
      return identical(a.elem, (b as typeof a).elem, depth + 1);
    case 'struct': {
      const bf = (b as typeof a).fields;
      return (
        a.fields.length === bf.length &&
        a.fields.every((f, i) => f.name === bf[i]!.name && identical(f.type, bf[i]!.type, depth + 1))
      );
    }
    case 'func': {
      const s = a.sig,
        t = (b as typeof a).sig;
      return (
        s.params.length === t.params.length &&
        s.results.length === t.results.length &&
        s.variadic === t.variadic &&
        s.params.every((p, i) => identical(p, t.params[i]!, depth + 1)) &&
        s.results.every((p, i) => identical(p, t.results[i]!, depth + 1))
      );
    }
    case 'interface':
      return typeString(a) === typeString(b);
    default:
      return false;
  }
}

/** Prints a type the way the compiler's -m messages do. */
export function typeString(t: Type, depth = 0): string {
  if (depth > 20) return '...';
  switch (t.k) {
    case 'basic':
      return t.alias ?? (t.name.startsWith('untyped ') ? t.name.slice(8) : t.name);
    case 'named':
      return t.pkg ? `${t.pkg}.${t.name}` : t.name;
    case 'pointer':
      return '*' + typeString(t.elem, depth + 1);
    case 'slice':
      return '[]' + typeString(t.elem, depth + 1);
    case 'array':
      return `[${t.len}]` + typeString(t.elem, depth + 1);
    case 'map':
      return `map[${typeString(t.key, depth + 1)}]${typeString(t.elem, depth + 1)}`;
    case 'chan':
      return (t.dir === 'recv' ? '<-chan ' : t.dir === 'send' ? 'chan<- ' : 'chan ') + typeString(t.elem, depth + 1);
    case 'func':
      return 'func' + sigString(t.sig, depth);
    case 'struct':
      return t.fields.length === 0
        ? 'struct {}'
        : `struct { ${t.fields.map((f) => (f.embedded ? '' : f.name + ' ') + typeString(f.type, depth + 1)).join('; ')} }`;
    case 'interface':
      if (t.methods.size === 0 && t.embeds.length === 0) return 'interface {}';
      return `interface { ${[...t.methods].map(([n, s]) => n + sigString(s, depth)).join('; ')} }`;
    case 'tuple':
      return '(' + t.types.map((x) => typeString(x, depth + 1)).join(', ') + ')';
    default:
      return '?';
  }
}

function sigString(s: Signature, depth: number): string {
  const ps = s.params.map((p, i) =>
    s.variadic && i === s.params.length - 1 && p.k === 'slice'
      ? '...' + typeString(p.elem, depth + 1)
      : typeString(p, depth + 1),
  );
  let r = `(${ps.join(', ')})`;
  if (s.results.length === 1) r += ' ' + typeString(s.results[0]!, depth + 1);
  else if (s.results.length > 1) r += ' (' + s.results.map((x) => typeString(x, depth + 1)).join(', ') + ')';
  return r;
}

export function defaultType(t: Type): Type {
  if (t.k !== 'basic') return t;
  switch (t.name) {
    case 'untyped int':
      return T.int;
    case 'untyped float':
      return T.float64;
    case 'untyped rune':
      return T.int32;
    case 'untyped string':
      return T.string;
    case 'untyped bool':
      return T.bool;
    case 'untyped complex':
      return T.complex128;
    default:
      return t;
  }
}

/** Interface method set: own methods plus embedded interfaces, flattened. */
export function ifaceMethods(t: Type, depth = 0): Map<string, Signature> {
  const u = under(t);
  if (u.k !== 'interface') return new Map();
  if (u.embeds.length === 0 || depth > 20) return u.methods;
  const m = new Map(u.methods);
  for (const e of u.embeds) for (const [k, v] of ifaceMethods(e, depth + 1)) m.set(k, v);
  return m;
}
