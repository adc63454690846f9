import { describe, expect, it } from 'vitest';
import { Heap, HeapConfigError, InvalidPointerError, OutOfMemoryError } from '../../src/index.js';

/** A heap with a few live objects of every kind, and a snapshot function over all of its state. */
function populated() {
  const heap = new Heap({ maxBytes: 16 << 20 });
  const tiny = [heap.malloc(3), heap.malloc(5), heap.malloc(8)];
  const small = [heap.malloc(16), heap.malloc(100), heap.malloc(5000)];
  const large = heap.malloc(100_000);
  for (const p of [...tiny, ...small, large]) new Uint8Array(heap.buffer).fill(0xab, p, p + 3);
  const freed = heap.malloc(64);
  heap.free(freed);
  const snapshot = () => {
    const { PauseNs, PauseEnd, ...stats } = heap.readMemStats();
    void PauseNs;
    void PauseEnd;
    return { stats, bytes: Buffer.from(new Uint8Array(heap.buffer)).toString('base64') };
  };
  return { heap, tiny, small, large, freed, snapshot };
}

function expectUnchanged(f: ReturnType<typeof populated>, act: () => unknown, errorType: new (...a: never[]) => Error) {
  const before = f.snapshot();
  expect(act).toThrow(errorType);
  const after = f.snapshot();
  expect(after.stats).toEqual(before.stats);
  expect(after.bytes === before.bytes).toBe(true);
}

const badSizes: unknown[] = [-1, -0.5, 1.5, NaN, Infinity, -Infinity, '8', null, undefined, {}, 2n];

describe('bad input gets a typed error and changes nothing', () => {
  it('malloc/calloc/realloc with a size that is not a non-negative integer → RangeError', () => {
    const f = populated();
    for (const n of badSizes) {
      expectUnchanged(f, () => f.heap.malloc(n as number), RangeError);
      expectUnchanged(f, () => f.heap.calloc(n as number), RangeError);
      expectUnchanged(f, () => f.heap.realloc(f.small[1]!, n as number), RangeError);
    }
  });

  it('a size that cannot fit under maxBytes → OutOfMemoryError naming the size and the heap size', () => {
    const f = populated();
    for (const n of [17 << 20, 2 ** 32, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      expectUnchanged(f, () => f.heap.malloc(n), OutOfMemoryError);
      expectUnchanged(f, () => f.heap.calloc(n), OutOfMemoryError);
      expectUnchanged(f, () => f.heap.realloc(f.large, n), OutOfMemoryError);
    }
    try {
      f.heap.malloc(2 ** 40);
    } catch (e) {
      expect((e as Error).message).toContain(String(2 ** 40));
      expect((e as Error).message).toContain(String(f.heap.buffer.byteLength));
    }
  });

  it('running out while filling the heap throws OutOfMemoryError and the heap still works', () => {
    const heap = new Heap({ maxBytes: 8 << 20 });
    const live: number[] = [];
    let error: unknown;
    try {
      for (;;) live.push(heap.malloc(200_000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect(live.length).toBeGreaterThan(10);
    const before = heap.readMemStats();
    expect(() => heap.malloc(200_000)).toThrow(OutOfMemoryError);
    expect(heap.readMemStats().HeapAlloc).toBe(before.HeapAlloc);
    for (const p of live) heap.free(p);
    expect(heap.readMemStats().HeapAlloc).toBe(0);
    expect(heap.malloc(200_000)).toBeGreaterThan(0);
  });

  it('free/realloc/usableSize of something that is not a live object start → InvalidPointerError', () => {
    const f = populated();
    const notPointers: unknown[] = [
      f.small[1]! + 8, // interior
      f.small[2]! + 1,
      f.large + 8192, // interior page of a large object
      f.large + 1,
      f.tiny[0]! + 1, // inside a tiny block but not a sub-object start
      f.freed, // already freed
      f.heap.buffer.byteLength, // past the end
      f.heap.buffer.byteLength + 8192,
      2 ** 40,
      8, // inside the metadata
      -8,
      1.5,
      NaN,
      '64',
      null,
      {},
    ];
    for (const p of notPointers) {
      expectUnchanged(f, () => f.heap.free(p as number), InvalidPointerError);
      expectUnchanged(f, () => f.heap.realloc(p as number, 10), InvalidPointerError);
      expectUnchanged(f, () => f.heap.usableSize(p as number), InvalidPointerError);
    }
  });

  it('double frees of every kind of object are caught', () => {
    const f = populated();
    for (const p of [...f.tiny, ...f.small, f.large]) {
      f.heap.free(p);
      expectUnchanged(f, () => f.heap.free(p), InvalidPointerError);
      expectUnchanged(f, () => f.heap.usableSize(p), InvalidPointerError);
    }
  });

  it('free(0) and free(malloc(0)) do nothing; malloc(0) is a valid pointer of size 0', () => {
    const f = populated();
    const before = f.snapshot();
    const z = f.heap.malloc(0);
    expect(z).toBeGreaterThan(0);
    expect(f.heap.usableSize(z)).toBe(0);
    f.heap.free(0);
    f.heap.free(z);
    f.heap.free(z);
    expect(f.snapshot().stats).toEqual(before.stats);
  });

  it('bad options → HeapConfigError', () => {
    for (const options of [
      { maxBytes: -1 },
      { maxBytes: 2 ** 33 },
      { maxBytes: 1.5e6 },
      { initialBytes: -5 },
      { initialBytes: 2 ** 31, maxBytes: 1 << 30 },
      { maxP: 0 },
      { maxP: 2.5 },
    ]) {
      expect(() => new Heap(options)).toThrow(HeapConfigError);
    }
  });
});
