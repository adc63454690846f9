import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Heap } from '../../src/index.js';
// The build writes layout constants into the code (scripts/build.mjs): the shipped heap is checked too.
import { Heap as BuiltHeap } from '../../dist/index.js';
import { type Op, runOps } from './model.js';

const size = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 15 }) }, // tiny
  { weight: 6, arbitrary: fc.integer({ min: 16, max: 1024 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1025, max: 32768 }) },
  { weight: 1, arbitrary: fc.integer({ min: 32769, max: 300_000 }) }, // large
  { weight: 1, arbitrary: fc.constant(0) },
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('malloc' as const), size }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('calloc' as const), size }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('realloc' as const), pick: fc.nat(), size }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'stats' as const }) },
);

describe('heap against a model (fast-check)', () => {
  it('random malloc/calloc/realloc/free sequences keep blocks apart, contents intact and MemStats exact', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 250 }), (ops) => {
        runOps(new Heap({ maxBytes: 64 << 20 }), ops);
      }),
      { numRuns: 100 },
    );
  });

  it('the built package (dist/, constants inlined) passes the same model', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 400 }), (ops) => {
        runOps(new BuiltHeap({ maxBytes: 64 << 20 }) as unknown as Heap, ops);
      }),
      { numRuns: 40 },
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
