import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, HeapConfigError, InvalidPointerError } from '../../src/index.js';
import { runOps } from './model.js';

const workerUrl = new URL('./shared-worker.mjs', import.meta.url);

interface Started {
  worker: Worker;
  result: Promise<{ done?: boolean; error?: string; p?: number; blocks?: number[] }>;
}

function start(data: Record<string, unknown>): Started {
  const worker = new Worker(workerUrl, { workerData: data });
  const result = new Promise<{ done?: boolean; error?: string; p?: number; blocks?: number[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, result };
}

function openGate(gate: Int32Array, workers: number): void {
  while (Atomics.load(gate, 0) < workers) Atomics.wait(gate, 0, Atomics.load(gate, 0), 50);
  Atomics.store(gate, 1, 1);
  Atomics.notify(gate, 1);
}

describe('one heap, many threads', () => {
  // Twice: in a growable SharedArrayBuffer and in a shared WebAssembly.Memory — the producer/consumer
  // pair frees across threads (remote frees, mcentral.freeRemote).
  it.each(['SharedArrayBuffer', 'WebAssembly.Memory'])(
    '3 churning Workers, a producer/consumer pair and the main thread share a heap (%s) without losing a byte',
    async (backing) => {
      const heap =
        backing === 'SharedArrayBuffer'
          ? new Heap({ shared: true, maxBytes: 512 << 20, initialBytes: 0 })
          : new Heap({
              memory: new WebAssembly.Memory({ initial: 0, maximum: (512 << 20) / 65536, shared: true }),
              maxBytes: 512 << 20,
              initialBytes: 0,
            });
      const handle = heap.handle();
      const gate = new Int32Array(new SharedArrayBuffer(16));
      const ring = new SharedArrayBuffer((2 + 3 * 256) * 4);
      const steps = 100_000;
      const workers = [
        start({ role: 'churn', handle, id: 1, seed: 11, steps, startGate: gate.buffer }),
        start({ role: 'churn', handle, id: 2, seed: 22, steps, startGate: gate.buffer }),
        start({ role: 'churn', handle, id: 3, seed: 33, steps, startGate: gate.buffer }),
        start({ role: 'producer', handle, id: 4, seed: 44, steps, ring, startGate: gate.buffer }),
        start({ role: 'consumer', handle, id: 5, seed: 55, steps, ring, producer: 4, startGate: gate.buffer }),
      ];
      openGate(gate, workers.length);
      // The main thread churns too, while the Workers run.
      const live = new Map<number, number>();
      let seed = 7;
      for (let i = 0; i < 20_000; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        if (live.size > 0 && seed % 2 === 0) {
          const [p, n] = live.entries().next().value as [number, number];
          const u8 = new Uint8Array(heap.buffer, p, n);
          expect(u8.every((b) => b === (p & 255))).toBe(true);
          heap.free(p);
          live.delete(p);
        } else {
          const n = 1 + (seed % 3000);
          const p = heap.malloc(n);
          new Uint8Array(heap.buffer, p, n).fill(p & 255);
          live.set(p, n);
        }
      }
      const results = await Promise.all(workers.map((w) => w.result));
      for (const r of results) expect(r.error).toBeUndefined();
      for (const [p] of live) heap.free(p);
      const st = heap.readMemStats();
      expect(st.HeapAlloc).toBe(0);
      expect(st.HeapObjects).toBe(0);
      expect(st.Mallocs - st.Frees).toBe(0);
      expect(st.Mallocs).toBeGreaterThan((3 * steps) / 2 + steps);
      expect(st.MCacheInuse).toBe(st.MCacheSys / 64); // only the main thread's P is still attached
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
    180_000,
  );

  it('two Workers with big populations while the heap keeps growing (the stale-view race)', async () => {
    const heap = new Heap({ shared: true, maxBytes: 1 << 30, initialBytes: 0 });
    const handle = heap.handle();
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const workers = [1, 2].map((id) =>
      start({ role: 'churn', handle, id, seed: 100 + id, steps: 150_000, live: 30_000, startGate: gate.buffer }),
    );
    openGate(gate, workers.length);
    const results = await Promise.all(workers.map((w) => w.result));
    for (const r of results) expect(r.error).toBeUndefined();
    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(0);
    expect(st.HeapAlloc).toBe(0);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }, 180_000);

  it('a Worker terminated without detach(): releaseP gives its cached spans back and the stats stay consistent', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const w = start({ role: 'hoard', handle: heap.handle(), id: 9, seed: 99, steps: 3000, startGate: gate.buffer });
    openGate(gate, 1);
    const { p, blocks } = await w.result;
    await w.worker.terminate();
    expect(p).toBeGreaterThan(0);
    expect(() => heap.releaseP(heap.p)).toThrow(HeapConfigError);
    const before = heap.readMemStats();
    heap.releaseP(p!);
    expect(() => heap.releaseP(p!)).toThrow(HeapConfigError);
    const after = heap.readMemStats();
    // Releasing credits what the P had allocated; nothing is lost or double-counted.
    expect(after.HeapObjects).toBe(after.Mallocs - after.Frees);
    expect(after.HeapAlloc).toBe(before.HeapAlloc);
    for (const b of blocks!) heap.free(b);
    const empty = heap.readMemStats();
    expect(empty.HeapAlloc).toBe(0);
    expect(empty.HeapObjects).toBe(0);
    // The dead P's spans are usable again: the same load fits without the heap growing.
    const sys = empty.Sys;
    const again = blocks!.map((_, i) => heap.malloc(i % 7 === 0 ? 20_000 : 100));
    expect(heap.readMemStats().Sys).toBe(sys);
    for (const b of again) heap.free(b);
    // And its P can be attached again.
    const other = Heap.attach(heap.handle());
    expect(other.p).toBe(p);
    other.detach();
  }, 60_000);

  it('three threads free interleaved objects of the same spans while their owner keeps refilling the class: every span comes back', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20, memProfileRate: 0 });
    const size = 64; // 128 objects per span: a relist at 32 frees, raced for by three freers
    // shared-worker.mjs's stamp(p, size, owner 0, seq), which the freers check: [owner, seq], then a
    // fill byte of (owner * 31 + seq) & 255.
    const stampOf = (p: number, seq: number) => {
      const dv = new DataView(heap.buffer);
      dv.setInt32(p, 0, true);
      dv.setInt32(p + 4, seq, true);
      new Uint8Array(heap.buffer, p + 8, size - 8).fill(seq & 255);
    };
    const blocks = Array.from({ length: 3 * 128 * 60 }, (_, seq) => {
      const p = heap.malloc(size);
      stampOf(p, seq);
      return { p, seq };
    });
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const workers = [0, 1, 2].map((k) =>
      start({
        role: 'freer',
        handle: heap.handle(),
        id: 10 + k,
        seed: 7 + k,
        startGate: gate.buffer,
        size,
        blocks: blocks.filter((_, i) => i % 3 === k), // every span's objects go to all three
      }),
    );
    openGate(gate, workers.length);
    // Meanwhile this thread keeps allocating and freeing in the same class, so its refills file spans full
    // while the freers clear their slots.
    const mine: number[] = [];
    let churned = 0;
    while (Atomics.load(gate, 3) < workers.length) {
      mine.push(heap.malloc(size));
      if (mine.length > 300) for (const p of mine.splice(0, 150)) heap.free(p);
      churned++;
    }
    const results = await Promise.all(workers.map((w) => w.result));
    for (const r of results) expect(r.error).toBeUndefined();
    for (const p of mine) heap.free(p);
    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(0);
    expect(st.HeapAlloc).toBe(0);
    expect(churned).toBeGreaterThan(0);
    // No span was lost filed full with free slots: the same population fits in the spans the heap holds.
    const again = blocks.map(() => heap.malloc(size));
    expect(heap.readMemStats().HeapInuse).toBeLessThanOrEqual(st.HeapInuse);
    for (const p of again) heap.free(p);
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }, 60_000);

  it("spare spans: a P keeps a span its own frees reopened, another P's frees share theirs, detach gives spares back", () => {
    const heap = new Heap({ shared: true, maxBytes: 64 << 20, memProfileRate: 0 });
    const a = Heap.attach(heap.handle(), { memProfileRate: 0 });
    const size = 1024; // 8 objects per one-page span
    const page = (p: number) => p >>> 13;
    const ps = Array.from({ length: 32 }, () => a.malloc(size)); // four spans, the last one still cached
    const spans = [0, 8, 16, 24].map((i) => ps.slice(i, i + 8));
    for (const objs of spans) expect(new Set(objs.map(page)).size).toBe(1);
    const [s1, s2, s3] = spans as [number[], number[], number[]];

    // a's own frees reopen a quarter of s1: it becomes a's spare, out of the other P's reach...
    a.free(s1[0]!);
    a.free(s1[1]!);
    const q = heap.malloc(size);
    expect(page(q)).not.toBe(page(s1[0]!));
    // ...and a's next refill (its cached span is used up) takes it.
    const r = [a.malloc(size), a.malloc(size)];
    expect(r.sort()).toEqual([s1[0]!, s1[1]!].sort());

    // The other P's frees in a span a filled send it back to a (its owner's inbox): a's refill takes it.
    heap.free(s2[0]!);
    heap.free(s2[1]!);
    expect([s2[0], s2[1]]).toContain(a.malloc(size));

    // detach gives a's spares back: the other P's refill finds s3.
    a.free(s3[0]!);
    a.free(s3[1]!);
    a.detach();
    const more = Array.from({ length: 7 }, () => heap.malloc(size)); // the rest of q's span
    expect(more.every((p) => page(p) === page(q))).toBe(true);
    expect([s3[0], s3[1]]).toContain(heap.malloc(size));

    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(st.Mallocs - st.Frees);
    expect(st.HeapObjects).toBe(32 - 6 + 1 + 2 + 1 + 7 + 1);
  });

  it("a tiny block another P still fills outlives the free of its last sub-object; its P's refill or detach frees it", () => {
    const heap = new Heap({ shared: true, maxBytes: 64 << 20, memProfileRate: 0 });
    const a = Heap.attach(heap.handle(), { memProfileRate: 0 });
    const objects = () => heap.readMemStats().HeapObjects; // tiny blocks count, not sub-objects
    const x = a.malloc(4);
    heap.free(x); // every sub-object of x's block is freed, but a still fills it
    expect(objects()).toBe(1);
    const y = a.malloc(4);
    expect(y).toBe(x + 4); // the same block, still a's
    heap.free(y);
    expect(objects()).toBe(1);
    a.detach(); // a drops the block: nothing of it is live, so it goes
    expect(objects()).toBe(0);

    // A span of tiny blocks used up: the last block is dropped before the refill gives the span back.
    const b = Heap.attach(heap.handle(), { memProfileRate: 0 });
    const ps = Array.from({ length: 1024 }, () => b.malloc(8)); // two per block: 512 blocks, one span
    expect(new Set(ps.map((p) => p >>> 13)).size).toBe(1);
    for (const p of ps) heap.free(p);
    expect(objects()).toBe(1); // b's block
    const z = b.malloc(8); // refill: the held block goes first, then the span, empty, goes back
    expect(objects()).toBe(1);
    b.free(z);
    b.detach();
    const st = heap.readMemStats();
    expect([st.HeapObjects, st.HeapAlloc, st.Mallocs - st.Frees]).toEqual([0, 0, 0]);
  });

  it("flushCache: an idle P's spans, which another thread freed, become that thread's to reuse", () => {
    const size = 1024; // 8 objects per one-page span
    const run = (flush: boolean) => {
      const heap = new Heap({ shared: true, maxBytes: 64 << 20, memProfileRate: 0 });
      const a = Heap.attach(heap.handle(), { memProfileRate: 0 });
      const ps = Array.from({ length: 800 }, () => a.malloc(size)); // 100 spans a owns
      const before = heap.readMemStats().HeapInuse;
      for (const p of ps) heap.free(p); // their owner's inbox, or full with a as owner
      if (flush) a.flushCache(); // they go to the partial lists, or (empty) back to mheap
      const again = Array.from({ length: 800 }, () => heap.malloc(size));
      const grew = heap.readMemStats().HeapInuse - before;
      for (const p of again) heap.free(p);
      a.free(a.malloc(size)); // a is still attached and allocates as before
      a.detach();
      const st = heap.readMemStats();
      expect([st.HeapObjects, st.Mallocs - st.Frees]).toEqual([0, 0]);
      return grew;
    };
    expect(run(false)).toBeGreaterThanOrEqual(90 * 8192); // without: a idle, its spans wait for it
    expect(run(true)).toBeLessThanOrEqual(2 * 8192); // with: the other P reuses their memory

    // On a single-thread heap it gives the cached spans and spares back; nothing live is touched.
    const one = new Heap({ maxBytes: 64 << 20, memProfileRate: 0 });
    const kept = Array.from({ length: 100 }, (_, i) => one.malloc(8 + i * 8));
    for (let i = 0; i < 100; i++) new Uint8Array(one.buffer, kept[i]!, 8).fill(i);
    const st0 = one.readMemStats();
    one.flushCache();
    const st1 = one.readMemStats();
    expect([st1.HeapObjects, st1.HeapAlloc, st1.Mallocs]).toEqual([st0.HeapObjects, st0.HeapAlloc, st0.Mallocs]);
    for (let i = 0; i < 100; i++) expect(new Uint8Array(one.buffer, kept[i]!, 8)).toEqual(new Uint8Array(8).fill(i));
    const fresh = one.malloc(64);
    expect(kept).not.toContain(fresh);
    for (const p of [...kept, fresh]) one.free(p);
    expect(one.readMemStats().HeapObjects).toBe(0);
  });

  it('attaching past maxP throws; a detached object refuses every call', () => {
    const heap = new Heap({ shared: true, maxP: 3, maxBytes: 16 << 20 });
    const a = Heap.attach(heap.handle());
    const b = Heap.attach(heap.handle());
    expect(() => Heap.attach(heap.handle())).toThrow(HeapConfigError);
    const p = a.malloc(100);
    b.free(p); // freed through another P
    b.detach();
    expect(() => b.malloc(100)).toThrow(HeapConfigError);
    expect(() => b.malloc(5)).toThrow(HeapConfigError);
    expect(() => b.free(p)).toThrow(HeapConfigError);
    expect(() => b.readMemStats()).toThrow(HeapConfigError);
    expect(() => b.flushCache()).toThrow(HeapConfigError);
    const c = Heap.attach(heap.handle());
    expect(c.p).toBe(2);
    expect(() => new Heap().handle()).toThrow(HeapConfigError);
    expect(() => Heap.attach({ kind: 'gomem-heap', buffer: new SharedArrayBuffer(8192) })).toThrow(HeapConfigError);
  });

  it('a heap in a shared WebAssembly.Memory works the same, across threads', async () => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 2048, shared: true }); // 4 MiB .. 128 MiB
    const heap = new Heap({ memory, maxBytes: 128 << 20 });
    const gate = new Int32Array(new SharedArrayBuffer(16));
    const w = start({ role: 'churn', handle: heap.handle(), id: 1, seed: 5, steps: 20_000, startGate: gate.buffer });
    openGate(gate, 1);
    const big = heap.malloc(20 << 20); // grows the memory while the Worker allocates
    new Uint8Array(heap.buffer, big, 20 << 20).fill(7);
    const r = await w.result;
    expect(r.error).toBeUndefined();
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(24 << 20);
    heap.free(big);
    const st = heap.readMemStats();
    expect(st.HeapAlloc).toBe(0);
    expect(st.HeapObjects).toBe(0);
    await w.worker.terminate();
  }, 60_000);

  it.each(['SharedArrayBuffer', 'WebAssembly.Memory'])(
    "span owners (%s): a double free is caught whoever frees, other threads' frees send a full span back to its owner, detach gives owned spans up",
    (backing) => {
      const heap =
        backing === 'SharedArrayBuffer'
          ? new Heap({ shared: true, maxBytes: 64 << 20, memProfileRate: 0 })
          : new Heap({
              memory: new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true }),
              maxBytes: 64 << 20,
              memProfileRate: 0,
            });
      const a = Heap.attach(heap.handle(), { memProfileRate: 0 }); // a second P, on this thread
      const size = 1024; // 8 objects per one-page span
      const page = (p: number) => p >>> 13;
      const ps = Array.from({ length: 40 }, () => a.malloc(size)); // five spans a owns, the last cached
      const [s1, s2, s3, s4] = [0, 8, 16, 24].map((i) => ps.slice(i, i + 8)) as [
        number[],
        number[],
        number[],
        number[],
      ];
      for (const objs of [s1, s2, s3, s4]) expect(new Set(objs.map(page)).size).toBe(1);
      const bytes = () => Buffer.from(new Uint8Array(heap.buffer)).toString('base64');

      // Freed by the other P (a remote free), then again by either: caught, nothing changes.
      heap.free(s1[0]!);
      let before = bytes();
      expect(() => heap.free(s1[0]!)).toThrow(InvalidPointerError);
      expect(() => a.free(s1[0]!)).toThrow(InvalidPointerError);
      expect(bytes() === before).toBe(true);
      // Freed by its owner, then again by either.
      a.free(s1[1]!);
      before = bytes();
      expect(() => heap.free(s1[1]!)).toThrow(InvalidPointerError);
      expect(() => a.free(s1[1]!)).toThrow(InvalidPointerError);
      expect(bytes() === before).toBe(true);
      // One remote and one own free make a quarter of s1: a's own free relisted it, as a's spare.
      const q = heap.malloc(size);
      expect(page(q)).not.toBe(page(s1[0]!));
      expect([a.malloc(size), a.malloc(size)].sort()).toEqual([s1[0]!, s1[1]!].sort());

      // Two remote frees make a quarter of s2: it goes to a's inbox, and a's next refill takes it.
      heap.free(s2[2]!);
      heap.free(s2[3]!);
      expect(Array.from({ length: 2 }, () => page(a.malloc(size)))).toEqual([page(s2[2]!), page(s2[2]!)]);

      // a goes away owning s3 and s4, both full. A quarter of s3 freed before: listed at detach.
      heap.free(s3[4]!);
      heap.free(s3[5]!);
      a.free(s4[6]!); // s4: one free, not enough to list it
      a.detach();
      const rest = Array.from({ length: 7 }, () => heap.malloc(size)); // the rest of q's span
      expect(rest.every((p) => page(p) === page(q))).toBe(true);
      expect(Array.from({ length: 2 }, () => page(heap.malloc(size)))).toEqual([page(s3[4]!), page(s3[4]!)]);
      // s4 has no owner now; the free that makes a quarter of it lists it.
      heap.free(s4[7]!);
      expect(page(heap.malloc(size))).toBe(page(s4[7]!));

      const st = heap.readMemStats();
      expect(st.HeapObjects).toBe(st.Mallocs - st.Frees);
      expect(st.HeapObjects).toBe(40 - 2 + 1 + 2 - 2 + 2 - 3 + 7 + 2 - 1 + 1);
    },
  );

  it("a consumer's frees come back to the producer: its inbox hands the spans to its next refills, so the heap stops growing", () => {
    const heap = new Heap({ shared: true, maxBytes: 64 << 20, memProfileRate: 0 });
    const producer = Heap.attach(heap.handle(), { memProfileRate: 0 });
    const inUse: number[] = [];
    for (let round = 0; round < 10; round++) {
      const ps = Array.from({ length: 4000 }, (_, i) => producer.malloc(48 + (i % 3) * 16));
      for (const p of ps) heap.free(p); // every free is a remote one: the producer owns these spans
      inUse.push(heap.readMemStats().HeapInuse);
    }
    // Round 1 filled ~70 spans; without the inbox every round would take as many new ones.
    expect(inUse[9]!).toBeLessThanOrEqual(inUse[1]! + 8 * 8192);
    const st = heap.readMemStats();
    expect(st.HeapObjects).toBe(0);
    expect(st.Mallocs).toBe(40_000);
    producer.detach();
  });

  it('the property-based model test passes on a shared heap and on a wasm memory', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            op: fc.constantFrom('malloc', 'free'),
            size: fc.integer({ min: 0, max: 70_000 }),
            pick: fc.nat(),
          }),
          { maxLength: 200 },
        ),
        (ops) => {
          const mapped = ops.map((o) =>
            o.op === 'malloc' ? { op: 'malloc' as const, size: o.size } : { op: 'free' as const, pick: o.pick },
          );
          runOps(new Heap({ shared: true, maxBytes: 64 << 20 }), mapped);
          runOps(
            new Heap({
              memory: new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true }),
              maxBytes: 64 << 20,
            }),
            mapped,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
