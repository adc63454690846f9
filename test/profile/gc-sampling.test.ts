import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';

function totals(heap: Heap) {
  let allocObjects = 0;
  let freeObjects = 0;
  let allocBytes = 0;
  let freeBytes = 0;
  for (const r of heap.memProfileRecords()) {
    allocObjects += r.allocObjects;
    freeObjects += r.freeObjects;
    allocBytes += r.allocBytes;
    freeBytes += r.freeBytes;
  }
  return { allocObjects, freeObjects, allocBytes, freeBytes };
}

describe('heap profile of collected objects', () => {
  it('samples heap.new and counts the frees the collector makes (memProfileRate 1: exact)', () => {
    const heap = new Heap({ memProfileRate: 1 });
    const Node = heap.defineType({ name: 'Node', size: 48, pointers: [0] });
    const Big = heap.defineType({ name: 'Big', size: 40_000, pointers: [] });
    const keep = heap.root(0);
    heap.scope(() => {
      for (let i = 0; i < 1000; i++) heap.new(Node);
      heap.new(Big);
    });
    heap.scope(() => {
      let prev = 0;
      for (let i = 0; i < 10; i++) {
        const n = heap.new(Node);
        heap.storePointer(n, 0, prev);
        prev = n;
      }
      keep.set(prev);
    });
    expect(totals(heap)).toEqual({ allocObjects: 1011, freeObjects: 0, allocBytes: 1010 * 48 + 40960, freeBytes: 0 });
    heap.gc();
    heap.gc();
    expect(totals(heap)).toEqual({
      allocObjects: 1011,
      freeObjects: 1001,
      allocBytes: 1010 * 48 + 40960,
      freeBytes: 1000 * 48 + 40960,
    });
    expect(heap.readMemStats().HeapObjects).toBe(10);
  });
});
