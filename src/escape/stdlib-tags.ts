// Parameter tags of imported functions. Functions with a Go 1.19 summary (stdlib-tags-data.ts,
// plus a few facts about runtime-internal helpers the regression tests call) get exactly what
// the compiler would have read from export data; every other imported function is treated as
// Go treats a function without a body: each pointer-carrying parameter leaks to the heap,
// unless it is declared //go:noescape.

import { stdlibTagData } from './stdlib-tags-data.js';
import { emptyLeaks, hasPointers, type FuncInfo, type Leaks } from './types.js';

type Summary = Record<string, { heap: number; results: Record<string, number> }>;

const extra: Record<string, Summary> = {
  'runtime/internal/atomic.Loadp': { ptr: { heap: -1, results: { '~r0': 1 } } },
  'hash/maphash.(*Hash).WriteString': { h: { heap: -1, results: {} }, s: { heap: -1, results: {} } },
  'hash/maphash.(*Hash).Sum64': { h: { heap: -1, results: {} } },
  'runtime.KeepAlive': { x: { heap: -1, results: {} } },
  'reflect.Value.Pointer': { v: { heap: -1, results: {} } },
  'reflect.Value.UnsafeAddr': { v: { heap: -1, results: {} } },
  'reflect.Value.Elem': { v: { heap: -1, results: { '~r0': 0 } } },
};

export function summaryKey(fn: FuncInfo): string {
  const path = fn.external ?? '';
  if (fn.recvNamed) {
    const m = fn.name.slice(fn.name.lastIndexOf('.') + 1);
    return `${path}.${fn.pointerRecv ? `(*${fn.recvNamed.name})` : fn.recvNamed.name}.${m}`;
  }
  return `${path}.${fn.name.slice(fn.name.lastIndexOf('.') + 1)}`;
}

export function externalTags(fn: FuncInfo): (Leaks | null)[] {
  const key = summaryKey(fn);
  const summary: Summary | undefined = extra[key] ?? stdlibTagData[key];
  const all = fn.recv ? [fn.recv, ...fn.params] : fn.params;
  return all.map((p) => {
    const l = emptyLeaks();
    const s = summary?.[p.name];
    if (summary) {
      if (!s) {
        if (hasPointers(p.type)) l[0] = 0;
        return l;
      }
      l[0] = s.heap;
      for (const [res, lvl] of Object.entries(s.results)) {
        const idx = fn.results.findIndex((r) => r.name === res);
        if (idx >= 0 && idx < 7) l[1 + idx] = lvl;
      }
      return l;
    }
    if (fn.pragmas.has('go:noescape')) return l;
    l[0] = 0;
    return l;
  });
}
