// The collector's contract on small, hand-written programs: what survives, what is reclaimed, and
// which misuses are refused with typed errors.
import { describe, expect, it } from 'vitest';
import { GcTypeError, GcUsageError, Heap, InvalidPointerError } from '../../src/index.js';

function setup() {
  const heap = new Heap();
  const Node = heap.defineType({ name: 'Node', size: 12, pointers: [0, 4] }); // left, right, value
  const Leaf = heap.defineType({ name: 'Leaf', size: 24 }); // no pointers: a noscan class
  return { heap, Node, Leaf };
}

describe('typed objects and heap.gc()', () => {
  it('keeps what roots reach and reclaims the rest', () => {
    const { heap, Node, Leaf } = setup();
    const r = heap.root(0);
    heap.scope(() => {
      const a = heap.new(Node);
      const b = heap.new(Node);
      const leaf = heap.new(Leaf);
      new Int32Array(heap.buffer)[(leaf >>> 2) + 1] = 77;
      heap.storePointer(a, 0, b);
      heap.storePointer(b, 4, leaf);
      r.set(a);
      for (let i = 0; i < 500; i++) heap.new(Node); // garbage once the scope returns
    });
    expect(heap.readMemStats().HeapObjects).toBe(503);
    heap.gc();
    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(3);
    expect(st.NumGC).toBe(1);
    expect(st.NumForcedGC).toBe(1);
    const a = r.get();
    const b = heap.loadPointer(a, 0);
    const leaf = heap.loadPointer(b, 4);
    expect(new Int32Array(heap.buffer)[(leaf >>> 2) + 1]).toBe(77);
    r.release();
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(0);
  });

  it('returns zeroed objects, also from reused slots', () => {
    const { heap, Node } = setup();
    heap.scope(() => {
      for (let i = 0; i < 2000; i++) new Uint8Array(heap.buffer).fill(0xff, heap.new(Node), heap.new(Node) + 12);
    });
    heap.gc();
    heap.scope(() => {
      for (let i = 0; i < 2000; i++) {
        const p = heap.new(Node);
        expect(new Uint8Array(heap.buffer).subarray(p, p + 12).every((x) => x === 0)).toBe(true);
      }
    });
  });

  it('large objects and arrays are collected too', () => {
    const { heap, Node } = setup();
    const keep = heap.root(0);
    heap.scope(() => {
      const arr = heap.newArray(Node, 5000); // 60000 bytes: a large object
      const n = heap.new(Node);
      heap.storePointer(arr, 4999 * 12 + 4, n);
      keep.set(arr);
      heap.newArray(heap.byteType, 100_000);
    });
    heap.gc();
    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(2);
    expect(heap.loadPointer(keep.get(), 4999 * 12 + 4)).not.toBe(0);
    expect(() => heap.storePointer(keep.get(), 5000 * 12, 0)).toThrow(GcTypeError);
    expect(() => heap.storePointer(keep.get(), 8, 0)).toThrow(GcTypeError); // the value field
  });

  it('malloc objects are never collected and collected objects cannot be freed', () => {
    const { heap, Node } = setup();
    const m = heap.malloc(100);
    new Uint8Array(heap.buffer).fill(9, m, m + 100);
    const obj = heap.scope(() => heap.new(Node));
    expect(() => heap.free(obj)).toThrow(InvalidPointerError);
    expect(() => heap.storePointer(obj, 0, m)).toThrow(InvalidPointerError);
    heap.gc();
    heap.gc();
    expect(new Uint8Array(heap.buffer).subarray(m, m + 100).every((x) => x === 9)).toBe(true);
    heap.free(m);
    expect(heap.readMemStats().HeapObjects).toBe(0);
  });

  it('refuses stale pointers, bad offsets and bad types', () => {
    const { heap, Node, Leaf } = setup();
    const a = heap.new(Node);
    heap.gc(); // outside any scope: the base scope ends, a is garbage
    expect(() => heap.loadPointer(a, 0)).toThrow(InvalidPointerError);
    const b = heap.scope(() => heap.new(Node));
    expect(() => heap.storePointer(b, 2, 0)).toThrow(GcTypeError);
    expect(() => heap.storePointer(b, 0, b + 4)).toThrow(InvalidPointerError);
    const leaf = heap.new(Leaf);
    expect(() => heap.storePointer(leaf, 0, 0)).toThrow(GcTypeError);
    expect(() => heap.defineType({ name: 'Bad', size: 8, pointers: [6] })).toThrow(GcTypeError);
    expect(() => heap.defineType({ name: '', size: 8 })).toThrow(GcTypeError);
    expect(() => heap.new({ id: 1 } as never)).toThrow(GcTypeError);
    const r = heap.root(b);
    r.release();
    expect(() => r.get()).toThrow(GcUsageError);
  });
});

describe('scopes', () => {
  it('hold fresh objects until they return; the returned object escapes to the enclosing scope', () => {
    const { heap, Node } = setup();
    const keep = heap.root(0);
    heap.scope(() => {
      const outer = heap.scope(() => {
        const x = heap.new(Node);
        heap.new(Node); // garbage when this scope returns
        return x;
      });
      heap.gc(); // inside a scope: outer is held by this scope
      expect(heap.readMemStats().HeapObjects).toBe(1);
      keep.set(outer);
    });
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(1);
  });

  it('automatic cycles never take an object a scope holds', () => {
    const { heap, Node } = setup();
    heap.setGCPercent(1); // collect very often
    heap.scope(() => {
      const first = heap.new(Node);
      for (let i = 0; i < 300_000; i++) heap.scope(() => heap.new(Node) && 0);
      expect(heap.readMemStats().NumGC).toBeGreaterThan(0);
      heap.storePointer(first, 0, 0); // still valid: held by this scope
    });
  });

  it('refuses async scope functions', () => {
    const { heap } = setup();
    expect(() => heap.scope(async () => 1)).toThrow(GcUsageError);
  });

  it('scan objects whose size class fills a whole span (8, 16, 32 KiB) work like any other', () => {
    const heap = new Heap();
    const Cell = heap.defineType({ name: 'Cell', size: 8, pointers: [0] });
    const sizes = [6800, 8192, 16000, 16384, 30000, 32768];
    const r = heap.root(0);
    heap.scope(() => {
      let prev = 0;
      for (const size of sizes) {
        const T = heap.defineType({ name: `T${size}`, size, pointers: [0, size - 4] });
        const o = heap.new(T);
        expect(heap.collector.sizeOf(o)).toBeGreaterThanOrEqual(size);
        heap.storePointer(o, 0, prev);
        heap.storePointer(o, size - 4, heap.new(Cell));
        heap.new(T); // garbage
        prev = o;
      }
      r.set(prev);
    });
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(2 * sizes.length);
    let n = 0;
    for (let p = r.get(); p !== 0; p = heap.loadPointer(p, 0)) n++;
    expect(n).toBe(sizes.length);
    r.set(0);
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(0);
  });
});
