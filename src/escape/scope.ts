// Lexical scopes and the universe block. Scopes map names to the objects the checker created
// for them; lookups walk outward. The universe holds Go's predeclared types, constants and
// builtins (1.19: `any` is an alias of `interface{}`; no min/max/clear yet).

import { T, type Obj, type Type } from './types.js';

export class Scope {
  /** Created on the first declaration: most block scopes declare nothing. */
  private own: Map<string, Obj> | null = null;
  constructor(readonly parent: Scope | null) {}

  /** The names declared in this scope itself. */
  get names(): Map<string, Obj> {
    return this.own ?? EMPTY;
  }

  lookup(name: string): Obj | undefined {
    // A loop rather than recursion: identifiers are looked up millions of times per package.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s.own === null) continue;
      const o = s.own.get(name);
      if (o) return o;
    }
    return undefined;
  }

  declare(name: string, obj: Obj): void {
    if (name !== '_') (this.own ??= new Map()).set(name, obj);
  }
}

/** Shared by every scope without declarations; never written. */
const EMPTY = new Map<string, Obj>();

const builtins = [
  'append',
  'cap',
  'close',
  'complex',
  'copy',
  'delete',
  'imag',
  'len',
  'make',
  'new',
  'panic',
  'print',
  'println',
  'real',
  'recover',
];

export function universe(): Scope {
  const u = new Scope(null);
  const basics: [string, Type][] = [
    ['bool', T.bool],
    ['int', T.int],
    ['string', T.string],
    ['uintptr', T.uintptr],
    ['float64', T.float64],
    ['complex128', T.complex128],
    ['int32', T.int32],
    ['uint8', T.uint8],
  ];
  for (const n of ['int8', 'int16', 'int64', 'uint', 'uint16', 'uint32', 'uint64', 'float32', 'complex64'] as const) {
    basics.push([n, { k: 'basic', name: n }]);
  }
  for (const [n, t] of basics) u.declare(n, { kind: 'type', name: n, type: t });
  // byte and rune are identical to uint8 and int32 but the compiler prints them by their own names.
  u.declare('byte', { kind: 'type', name: 'byte', type: { k: 'basic', name: 'uint8', alias: 'byte' } });
  u.declare('rune', { kind: 'type', name: 'rune', type: { k: 'basic', name: 'int32', alias: 'rune' } });
  u.declare('any', { kind: 'type', name: 'any', type: T.emptyIface });
  const errorType: Type = {
    k: 'named',
    name: 'error',
    pkg: '',
    methods: new Map(),
    underlying: {
      k: 'interface',
      methods: new Map([['Error', { params: [], paramNames: [], results: [T.string], variadic: false }]]),
      embeds: [],
      resolved: true,
    },
  };
  u.declare('error', { kind: 'type', name: 'error', type: errorType });
  u.declare('comparable', { kind: 'type', name: 'comparable', type: T.emptyIface });
  u.declare('true', { kind: 'const', name: 'true', type: T.untypedBool, value: { k: 'bool', v: true } });
  u.declare('false', { kind: 'const', name: 'false', type: T.untypedBool, value: { k: 'bool', v: false } });
  u.declare('nil', { kind: 'nil' });
  for (const b of builtins) u.declare(b, { kind: 'builtin', name: b });
  return u;
}
