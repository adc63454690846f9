// A simple model of a heap for the property tests: what is live, and what Go's MemStats must say.
import { expect } from 'vitest';
import { Heap, roundUpSize } from '../../src/index.js';

export interface Block {
  p: number;
  size: number;
  fill: number;
  /** A sub-object of a 16-byte tiny block. */
  tiny: boolean;
  /** Bytes Go counts for it when it is not tiny: its class size or whole pages. */
  bytes: number;
  /** The alignment Go guarantees for the request that made the object. */
  align: number;
}

export class HeapModel {
  readonly live = new Map<number, Block>();
  constructor(readonly heap: Heap) {}

  /** Bytes Go counts for the live objects: class sizes, whole pages, and 16 per tiny block. */
  expectedHeap(): { bytes: number; objects: number } {
    let bytes = 0;
    let objects = 0;
    const tinyBlocks = new Set<number>();
    for (const b of this.live.values()) {
      if (b.tiny) tinyBlocks.add(b.p >>> 4);
      else {
        bytes += b.bytes;
        objects++;
      }
    }
    return { bytes: bytes + 16 * tinyBlocks.size, objects: objects + tinyBlocks.size };
  }

  /** Records a new allocation of `size` bytes at p, or a realloc that kept `kept`'s slot. */
  add(p: number, size: number, fill: number, kept?: Block): void {
    expect(p).toBeGreaterThan(0);
    expect(this.live.has(p)).toBe(false);
    if (size === 0 && !kept) return; // malloc(0): the shared zero-size object
    new Uint8Array(this.heap.buffer).fill(fill, p, p + size);
    const tiny = kept ? kept.tiny : size < 16;
    const bytes = kept ? kept.bytes : roundUpSize(size);
    const align = kept ? kept.align : alignmentOf(size);
    this.live.set(p, { p, size, fill, tiny, bytes, align });
  }

  check(): void {
    const heap = this.heap;
    const u8 = new Uint8Array(heap.buffer);
    const blocks = [...this.live.values()].sort((a, b) => a.p - b.p);
    let prevEnd = 0;
    for (const b of blocks) {
      const usable = heap.usableSize(b.p);
      expect(usable).toBeGreaterThanOrEqual(b.size);
      expect(b.p).toBeGreaterThanOrEqual(prevEnd); // no overlap, usable bytes included
      prevEnd = b.p + usable;
      expect(prevEnd).toBeLessThanOrEqual(u8.length);
      expect(b.p % b.align).toBe(0);
      for (let i = b.p; i < b.p + b.size; i++) {
        if (u8[i] !== b.fill) expect({ at: i, block: b, byte: u8[i] }).toEqual({ at: i, block: b, byte: b.fill });
      }
    }
    const st = heap.readMemStats();
    const want = this.expectedHeap();
    expect(st.HeapAlloc).toBe(want.bytes);
    expect(st.Alloc).toBe(st.HeapAlloc);
    expect(st.HeapObjects).toBe(want.objects);
    expect(st.HeapObjects).toBe(st.Mallocs - st.Frees);
    expect(st.HeapSys).toBe(st.HeapInuse + st.HeapIdle);
    expect(st.HeapInuse).toBeGreaterThanOrEqual(st.HeapAlloc);
    expect(st.Sys).toBe(
      st.HeapSys + st.MSpanSys + st.MCacheSys + st.GCSys + st.OtherSys + st.StackSys + st.BuckHashSys,
    );
    expect(st.Sys).toBe(heap.buffer.byteLength);
    expect(st.TotalAlloc - (st.TotalAlloc - st.HeapAlloc)).toBe(st.HeapAlloc);
  }
}

/** The alignment Go guarantees for an allocation of n bytes. */
export function alignmentOf(n: number): number {
  if (n === 0) return 1;
  if (n < 16) return (n & 7) === 0 ? 8 : (n & 3) === 0 ? 4 : (n & 1) === 0 ? 2 : 1;
  const size = roundUpSize(n);
  return Math.min(8192, size & -size);
}

export type Op =
  | { op: 'malloc'; size: number }
  | { op: 'calloc'; size: number }
  | { op: 'realloc'; pick: number; size: number }
  | { op: 'free'; pick: number }
  | { op: 'stats' };

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
