import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';
import { HeapModel } from './model.js';

const size = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 15 }) }, // tiny
  { weight: 6, arbitrary: fc.integer({ min: 16, max: 1024 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1025, max: 32768 }) },
  { weight: 1, arbitrary: fc.integer({ min: 32769, max: 300_000 }) }, // large
  { weight: 1, arbitrary: fc.constant(0) },
);

type Op =
  | { op: 'malloc'; size: number }
  | { op: 'calloc'; size: number }
  | { op: 'realloc'; pick: number; size: number }
  | { op: 'free'; pick: number }
  | { op: 'stats' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('calloc' as const), size }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'stats' as const }) },
);

export function runOps(heap: Heap, ops: Op[], checkEvery = 1): void {
  const model = new HeapModel(heap);
  let fill = 1;
  ops.forEach((o, step) => {
    const pointers = [...model.live.keys()];
    switch (o.op) {
      case 'malloc':
      case 'calloc': {
        const p = o.op === 'malloc' ? heap.malloc(o.size) : heap.calloc(o.size);
        if (o.op === 'calloc') {
          const u8 = new Uint8Array(heap.buffer, p, o.size);
          expect(u8.every((b) => b === 0)).toBe(true);
        }
        model.add(p, o.size, fill++ & 255 || 1);
        break;
      }
      case 'realloc': {
        if (pointers.length === 0) break;
        const old = model.live.get(pointers[o.pick % pointers.length]!)!;
        const oldUsable = heap.usableSize(old.p);
        const q = heap.realloc(old.p, o.size);
        const kept = Math.min(old.size, o.size);
        const u8 = new Uint8Array(heap.buffer);
        for (let i = 0; i < kept; i++) expect(u8[q + i]).toBe(old.fill);
        if (o.size === 0) expect(heap.usableSize(q)).toBe(0);
        else if (o.size <= oldUsable) expect(q).toBe(old.p);
        model.live.delete(old.p);
        model.add(q, o.size, old.fill, q === old.p ? old : undefined);
        break;
      }
      case 'free': {
        if (pointers.length === 0) break;
        const p = pointers[o.pick % pointers.length]!;
        heap.free(p);
        model.live.delete(p);
        break;
      }
      case 'stats':
        break;
    }
    if (step % checkEvery === 0 || o.op === 'stats') model.check();
  });
  model.check();
  for (const p of [...model.live.keys()]) {
    heap.free(p);
    model.live.delete(p);
  }
  model.check();
  const st = heap.readMemStats();
  expect(st.HeapAlloc).toBe(0);
  expect(st.HeapObjects).toBe(0);
}

describe('heap against a model (fast-check)', () => {
  it('random malloc/calloc/realloc/free sequences keep blocks apart, contents intact and MemStats exact', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250 }), (ops) => {
        runOps(new Heap({ maxBytes: 64 << 20 }), ops);
      }),
      { numRuns: 100 },
    );
  });

  it('long sequences on a small heap that must grow', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 500, maxLength: 2000 }), (ops) => {
        runOps(new Heap({ maxBytes: 256 << 20, initialBytes: 0 }), ops, 50);
      }),
      { numRuns: 8 },
    );
  });
});
