// Model-based test of the collector: random programs of allocations, pointer stores, root changes,
// scopes, incremental mark steps (with automatic cycles and assists at a tiny GOGC) and full cycles,
// run against a shadow object graph. Invariants:
//   * at every step, every object the model can reach (from roots and scopes) is live in the heap,
//     with its stamp and its pointer fields as the model says — also while marking is in progress,
//     where stores go through the write barrier;
//   * after every heap.gc(), HeapObjects equals the number of reachable objects (everything else,
//     allocated before the cycle, was reclaimed) and MemStats add up.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';

type Op =
  | { k: 'new'; kind: number }
  | { k: 'store'; src: number; field: number; dst: number }
  | { k: 'root'; obj: number }
  | { k: 'release'; h: number }
  | { k: 'set'; h: number; obj: number }
  | { k: 'gc' }
  | { k: 'step'; work: number }
  | { k: 'scope'; n: number; ret: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ k: fc.constant('new' as const), kind: fc.integer({ min: 0, max: 9 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({ k: fc.constant('store' as const), src: fc.nat(), field: fc.nat(2), dst: fc.nat() }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('root' as const), obj: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('release' as const), h: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('set' as const), h: fc.nat(), obj: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('gc' as const) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('step' as const), work: fc.integer({ min: 1, max: 400 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('scope' as const), n: fc.integer({ min: 1, max: 40 }), ret: fc.boolean() }),
  },
);

interface MObj {
  p: number;
  stamp: number;
  fields: number[] | null; // model ids of the pointer fields; null = noscan blob
}

function run(ops: Op[]): void {
  const heap = new Heap();
  heap.setGCPercent(5); // small goal: automatic cycles, assists
  const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0, 4, 8] }); // stamp at 12
  const Blob = heap.defineType({ name: 'Blob', size: 20 }); // stamp at 0
  const BigNodes = heap.arrayType(Node, 3000); // 48000 bytes: a large scan object
  const objs = new Map<number, MObj>();
  let nextId = 1;
  let nextStamp = 1;
  const handles: Array<{ h: ReturnType<Heap['root']>; obj: number } | null> = [];
  let base: number[] = []; // model ids the base scope holds

  const i32 = () => new Int32Array(heap.buffer);
  const stampAt = (o: MObj) => (o.fields === null ? o.p : o.p + 12);

  function alloc(kind: number): number {
    let p: number;
    let fields: number[] | null;
    if (kind < 6) {
      p = heap.new(Node);
      fields = [0, 0, 0];
    } else if (kind < 9) {
      p = heap.new(Blob);
      fields = null;
    } else {
      p = heap.new(BigNodes); // we use its first element's fields only
      fields = [0, 0, 0];
    }
    const o: MObj = { p, stamp: nextStamp++, fields };
    i32()[stampAt(o) >>> 2] = o.stamp;
    const id = nextId++;
    objs.set(id, o);
    return id;
  }

  function reachable(extra: number[]): Set<number> {
    const seen = new Set<number>();
    const stack = [...base, ...extra];
    for (const h of handles) if (h && h.obj) stack.push(h.obj);
    while (stack.length) {
      const id = stack.pop()!;
      if (id === 0 || seen.has(id)) continue;
      seen.add(id);
      for (const f of objs.get(id)!.fields ?? []) if (f) stack.push(f);
    }
    return seen;
  }

  function check(live: Set<number>): void {
    const v = i32();
    for (const id of live) {
      const o = objs.get(id)!;
      heap.collector.sizeOf(o.p); // throws InvalidPointerError if it was collected
      expect(v[stampAt(o) >>> 2]).toBe(o.stamp);
      if (o.fields) {
        for (let f = 0; f < 3; f++) {
          const want = o.fields[f] ? objs.get(o.fields[f]!)!.p : 0;
          expect(heap.loadPointer(o.p, 4 * f)).toBe(want);
        }
      }
    }
  }

  function pick(live: number[], n: number): number {
    return live.length === 0 ? 0 : live[n % live.length]!;
  }

  function exec(op: Op, scopeHeld: number[]): void {
    const live = [...reachable(scopeHeld)];
    switch (op.k) {
      case 'new':
        (scopeHeld.length >= 0 ? scopeHeld : base).push(alloc(op.kind));
        break;
      case 'store': {
        const src = pick(
          live.filter((id) => objs.get(id)!.fields),
          op.src,
        );
        if (src === 0) break;
        const dst = op.dst % 4 === 0 ? 0 : pick(live, op.dst);
        heap.storePointer(objs.get(src)!.p, 4 * op.field, dst ? objs.get(dst)!.p : 0);
        objs.get(src)!.fields![op.field] = dst;
        break;
      }
      case 'root': {
        const obj = op.obj % 5 === 0 ? 0 : pick(live, op.obj);
        handles.push({ h: heap.root(obj ? objs.get(obj)!.p : 0), obj });
        break;
      }
      case 'release': {
        const k = op.h % Math.max(1, handles.length);
        const h = handles[k];
        if (!h) break;
        h.h.release();
        handles[k] = null;
        break;
      }
      case 'set': {
        const h = handles[op.h % Math.max(1, handles.length)];
        if (!h) break;
        const obj = pick(live, op.obj);
        h.h.set(obj ? objs.get(obj)!.p : 0);
        h.obj = obj;
        break;
      }
      case 'step':
        heap.gcStep(op.work);
        break;
      case 'gc':
        break; // handled at top level only
      case 'scope':
        break;
    }
  }

  for (const op of ops) {
    if (op.k === 'gc') {
      base = [];
      heap.gc();
      const live = reachable([]);
      check(live);
      const st = heap.readMemStats();
      expect(st.HeapObjects).toBe(live.size);
      expect(st.HeapObjects).toBe(st.Mallocs - st.Frees);
      expect(st.HeapInuse).toBeGreaterThanOrEqual(st.HeapAlloc);
      expect(st.Sys).toBe(heap.buffer.byteLength);
      for (const id of [...objs.keys()]) if (!live.has(id)) objs.delete(id);
      continue;
    }
    if (op.k === 'scope') {
      // A nested program: allocations and stores held by the scope; maybe one object escapes.
      const held: number[] = [];
      const ret = heap.scope(() => {
        for (let i = 0; i < op.n; i++) {
          exec({ k: 'new', kind: (i * 7 + op.n) % 10 }, held);
          exec({ k: 'store', src: i * 13 + 5, field: i % 3, dst: i * 31 + 1 }, held);
          if (i % 8 === 0) exec({ k: 'step', work: 50 }, held);
        }
        check(reachable(held));
        return op.ret && held.length ? objs.get(held[held.length - 1]!)!.p : 0;
      });
      if (ret !== 0) base.push(held[held.length - 1]!);
      check(reachable([]));
      continue;
    }
    exec(op, base);
    check(reachable([]));
  }
  base = [];
  heap.gc();
  const live = reachable([]);
  check(live);
  expect(heap.readMemStats().HeapObjects).toBe(live.size);
}

describe('collector model', () => {
  it('random programs keep every reachable object intact and reclaim the rest', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => run(ops)),
      { numRuns: 120 },
    );
  });

  it('a long program with many cycles', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 400, maxLength: 600 }), (ops) => run(ops)),
      { numRuns: 8 },
    );
  });
});
