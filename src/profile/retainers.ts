// heap.retainers(obj): what keeps a collected object alive — a shortest chain of pointer fields from a
// root to it, the question a leak hunt ends with (Go's tools answer it from a heap dump; viewcore's
// "reachable" does the same search).
//
// The roots are the collector's (src/runtime/gc): root handles (Go's globals), every attached P's
// scope stack (Go's goroutine stacks), the collector's tiny block and objects queued for finalizers.
// A breadth-first search from all roots at once over typed pointer fields (each object's type says
// where its pointers are) finds a shortest path; each step names the object, its type and the byte
// offset of the field that points on. Read-only: nothing in the heap changes.

import { G_FINALIZERS, G_ROOTS, G_TINY, MCACHE_WORDS, P_ATTACHED, P_SCOPE, P_STATUS } from '../runtime/layout.js';
import type { HeapState } from '../runtime/state.js';
import type { TypeInfo } from '../runtime/gc/types.js';
import { vecData, vecLen } from '../runtime/gc/vec.js';

export type RootKind = 'root handle' | 'scope' | 'tiny block' | 'finalizer queue';

export interface RetainerStep {
  /** The object's address. */
  object: number;
  /** Its type's name (collected objects of pointer-free types show as byte arrays). */
  type: string;
  /** The byte offset, in this object, of the pointer field leading to the next step; -1 on the last. */
  field: number;
}

export interface RetainerPath {
  root: { kind: RootKind; /** handle slot, or P id for a scope */ index: number };
  /** Root object first, `obj` last. */
  path: RetainerStep[];
}

/** What the search needs of a collector: the heap, its GC region, and object types. */
export interface CollectorView {
  readonly h: HeapState;
  readonly g: number;
  typeOf(obj: number): TypeInfo;
}

function rootsOf(c: CollectorView): { kind: RootKind; index: number; object: number }[] {
  const h = c.h;
  const roots: { kind: RootKind; index: number; object: number }[] = [];
  const handles = c.g + G_ROOTS;
  for (let k = 0; k < vecLen(h, handles) >>> 1; k++) {
    const data = vecData(h, handles);
    if (h.i32[data + 2 * k + 1] !== -1) continue; // a released slot
    const p = h.u32[data + 2 * k]!;
    if (p !== 0) roots.push({ kind: 'root handle', index: k, object: p });
  }
  for (let pid = 0; pid < h.maxP; pid++) {
    const mc = h.pWord + pid * MCACHE_WORDS;
    if (h.i32[mc + P_STATUS] !== P_ATTACHED) continue;
    const d = mc + P_SCOPE;
    for (let k = 0; k < vecLen(h, d); k++) roots.push({ kind: 'scope', index: pid, object: h.u32[vecData(h, d) + k]! });
  }
  const tiny = h.u32[c.g + G_TINY]!;
  if (tiny !== 0) roots.push({ kind: 'tiny block', index: 0, object: tiny });
  const fins = c.g + G_FINALIZERS;
  for (let k = 0; k < vecLen(h, fins) / 3; k++) {
    const data = vecData(h, fins);
    if (h.i32[data + 3 * k + 2] === 1) roots.push({ kind: 'finalizer queue', index: k, object: h.u32[data + 3 * k]! });
  }
  return roots;
}

/**
 * A shortest root-to-obj path, or null when no root reaches obj (it is garbage the next cycle will
 * free). obj must be a live collected object: anything else throws the collector's InvalidPointerError.
 */
export function findRetainers(c: CollectorView, obj: number): RetainerPath | null {
  c.typeOf(obj); // validates obj
  c.h.refreshViews();
  // parent[child] = [parent object, field offset]; roots map to -1.
  const parent = new Map<number, [number, number]>();
  const rootOf = new Map<number, { kind: RootKind; index: number }>();
  let queue: number[] = [];
  for (const r of rootsOf(c)) {
    if (parent.has(r.object)) continue;
    parent.set(r.object, [-1, -1]);
    rootOf.set(r.object, { kind: r.kind, index: r.index });
    queue.push(r.object);
  }
  const u32 = c.h.u32;
  while (queue.length > 0 && !parent.has(obj)) {
    const next: number[] = [];
    for (const p of queue) {
      const t = c.typeOf(p);
      if (t.noscan) continue;
      for (let e = 0; e < t.size; e += t.elemSize) {
        for (const off of t.offs) {
          const q = u32[(p + e + off) >>> 2]!;
          if (q === 0 || parent.has(q)) continue;
          parent.set(q, [p, e + off]);
          next.push(q);
        }
      }
    }
    queue = next;
  }
  if (!parent.has(obj)) return null;
  const path: RetainerStep[] = [];
  let field = -1;
  for (let at = obj; ;) {
    path.push({ object: at, type: c.typeOf(at).name, field });
    const [up, off] = parent.get(at)!;
    if (up === -1) return { root: rootOf.get(at)!, path: path.reverse() };
    field = off;
    at = up;
  }
}

/** "root handle #0 → main.Cache@0x10000 .entries(+8) → …" for printing. */
export function formatRetainers(r: RetainerPath | null): string {
  if (r === null) return 'unreachable (garbage: the next GC cycle frees it)';
  const steps = r.path.map((s) => `${s.type}@0x${s.object.toString(16)}${s.field >= 0 ? ` +${s.field}` : ''}`);
  return `${r.root.kind}${r.root.kind === 'tiny block' ? '' : ` #${r.root.index}`} → ${steps.join(' → ')}`;
}
