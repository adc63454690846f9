// The lost-object races the hybrid write barrier exists for: during marking, the only pointer to a
// white object moves from a not-yet-scanned place into an already-black object. Each test tries the
// move after every possible amount of marking (k objects scanned), so some run hits the bad order.
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';

function world() {
  const heap = new Heap();
  heap.setGCPercent(-1); // only the steps below collect
  const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0, 4] });
  return { heap, Node };
}

const stamp = (heap: Heap, p: number, v?: number): number => {
  const i32 = new Int32Array(heap.buffer);
  if (v !== undefined) i32[(p + 8) >>> 2] = v;
  return i32[(p + 8) >>> 2]!;
};

describe('write barrier', () => {
  for (const where of ['heap slot', 'root handle'] as const) {
    it(`an object moved from an unscanned ${where} into a black object survives`, () => {
      for (let k = 0; k < 40; k++) {
        const { heap, Node } = world();
        // Roots are greyed in handle order and the grey queue is LIFO: a (rooted last) is scanned first.
        const rb = heap.root(0);
        const rc = heap.root(0);
        const ra = heap.root(0);
        heap.scope(() => {
          // A chain of filler objects so scanning order varies with k.
          const a = heap.new(Node);
          const b = heap.new(Node);
          const c = heap.new(Node);
          stamp(heap, c, 4242);
          let prev = b;
          for (let i = 0; i < 30; i++) {
            const f = heap.new(Node);
            heap.storePointer(prev, 4, f);
            prev = f;
          }
          if (where === 'heap slot')
            heap.storePointer(prev, 0, c); // c hangs at the end of b's chain
          else rc.set(c);
          ra.set(a);
          rb.set(b);
        });
        heap.gc(); // the base scope is gone; only roots hold things
        heap.gcStep(); // start a cycle: roots greyed
        for (let i = 0; i < k; i++) heap.gcStep(1); // scan about one object per step
        // The mutator moves c into a (maybe black) and deletes the old path.
        const a = ra.get();
        let c: number;
        if (where === 'heap slot') {
          let last = rb.get();
          for (let n = heap.loadPointer(last, 4); n !== 0; n = heap.loadPointer(last, 4)) last = n;
          c = heap.loadPointer(last, 0);
          heap.storePointer(a, 0, c);
          heap.storePointer(last, 0, 0);
        } else {
          c = rc.get();
          heap.storePointer(a, 0, c);
          rc.set(0);
        }
        while (!heap.gcStep(1 << 20));
        heap.gc();
        expect(heap.loadPointer(ra.get(), 0)).toBe(c);
        expect(heap.collector.sizeOf(c)).toBe(16); // throws if c was collected
        expect(stamp(heap, c)).toBe(4242);
        expect(heap.readMemStats().HeapObjects).toBe(33); // a, b, its chain of 30, c
      }
    });
  }

  it('an object moved from an unscanned scope-stack entry into a black object survives', () => {
    const { heap, Node } = world();
    const r = heap.root(0);
    heap.scope(() => {
      // A deep scope stack: the first mark assist (64 KiB of work) scans only part of it.
      for (let i = 0; i < 40_000; i++) heap.new(Node);
      const x = heap.new(Node); // white, held only by this scope's stack entry
      stamp(heap, x, 55);
      heap.gcStep(); // a cycle starts; scope stacks are scanned later, during marking
      const a = heap.new(Node); // allocated black
      heap.storePointer(a, 0, x); // x's only heap path is now in a black object
      r.set(a);
      return 0; // the scope ends: x's stack entry goes before the stack scan reaches it
    });
    while (!heap.gcStep(1 << 20));
    heap.gc();
    const x = heap.loadPointer(r.get(), 0);
    expect(heap.collector.sizeOf(x)).toBe(16);
    expect(stamp(heap, x)).toBe(55);
    expect(heap.readMemStats().HeapObjects).toBe(2);
  });

  it('objects allocated during marking are black and survive the cycle', () => {
    const { heap, Node } = world();
    const r = heap.root(0);
    heap.gcStep(); // marking
    const fresh = heap.scope(() => heap.new(Node));
    stamp(heap, fresh, 7);
    r.set(fresh);
    while (!heap.gcStep(1 << 20));
    heap.gc();
    expect(stamp(heap, r.get())).toBe(7);
  });
});
