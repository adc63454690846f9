// heap.retainers(obj): a shortest root-to-object path of typed pointer fields, or null for garbage.
import { describe, expect, it } from 'vitest';
import { Heap, InvalidPointerError } from '../../src/index.js';
import { formatRetainers } from '../../src/profile/retainers.js';

describe('heap.retainers', () => {
  it('finds the shortest chain from a root handle, naming types and field offsets', () => {
    const heap = new Heap({ memProfileRate: 0 });
    const Cache = heap.defineType({ name: 'main.Cache', size: 16, pointers: [8] });
    const Entry = heap.defineType({ name: 'main.Entry', size: 12, pointers: [0, 4] });
    const Payload = heap.defineType({ name: 'main.Payload', size: 32, pointers: [24] });
    const Blob = heap.defineType({ name: 'main.Blob', size: 64 }); // pointer-free: its spans keep no type ids
    const { cache, target } = heap.scope(() => {
      const cache = heap.new(Cache);
      const e1 = heap.new(Entry);
      const e2 = heap.new(Entry);
      const e3 = heap.new(Entry);
      const target = heap.new(Payload);
      heap.storePointer(cache, 8, e1);
      heap.storePointer(e1, 0, e2); // long way: cache → e1 → e2 → e3 → target
      heap.storePointer(e2, 0, e3);
      heap.storePointer(e3, 4, target);
      heap.storePointer(e1, 4, target); // short way: cache → e1 → target
      heap.storePointer(target, 24, heap.new(Blob));
      return { cache, target };
    });
    const root = heap.root(cache);
    heap.gc(); // scopes closed: only the root handle holds anything now
    const r = heap.retainers(target)!;
    expect(r.root.kind).toBe('root handle');
    expect(r.path.map((s) => [s.type, s.field])).toEqual([
      ['main.Cache', 8],
      ['main.Entry', 4],
      ['main.Payload', -1],
    ]);
    expect(r.path[0]!.object).toBe(cache);
    expect(r.path.at(-1)!.object).toBe(target);
    const blob = heap.loadPointer(target, 24);
    expect(heap.retainers(blob)!.path.map((s) => s.type)).toEqual(['main.Cache', 'main.Entry', 'main.Payload', 'byte']);
    expect(formatRetainers(r)).toMatch(
      /^root handle #\d+ → main\.Cache@0x[0-9a-f]+ \+8 → main\.Entry@0x[0-9a-f]+ \+4 → main\.Payload@0x/,
    );
    root.release();
    expect(heap.retainers(target)).toBeNull(); // garbage until the next cycle frees it
    expect(formatRetainers(null)).toMatch(/unreachable/);
  });

  it('sees objects held by an open scope', () => {
    const heap = new Heap({ memProfileRate: 0 });
    const Node = heap.defineType({ name: 'main.Node', size: 8, pointers: [0] });
    heap.scope(() => {
      const a = heap.new(Node);
      const b = heap.new(Node);
      heap.storePointer(a, 0, b);
      const r = heap.retainers(b)!;
      expect(r.root.kind).toBe('scope');
      expect(r.path.length).toBe(1); // b itself is on the scope stack
      return 0;
    });
  });

  it('rejects a pointer that is not a live collected object', () => {
    const heap = new Heap({ memProfileRate: 0 });
    heap.defineType({ name: 'main.T', size: 8 });
    expect(() => heap.retainers(heap.malloc(64))).toThrow(InvalidPointerError);
    expect(() => heap.retainers(12345)).toThrow(InvalidPointerError);
  });
});
