// The background mark worker (Go's dedicated mark worker on a Worker thread): it marks concurrently
// with mutators on a shared heap, and nothing reachable may ever be freed — checked against a shadow
// graph while one mutator churns with the lost-object pattern at a tiny GOGC, and with three mutator
// Workers that never drive marking themselves. Plus the controls: start, stop, errors. Needs dist/.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GcUsageError, Heap, type MarkWorker } from '../../src/index.js';

const entry = new URL('../../dist/node/mark-worker.js', import.meta.url);
const mutatorUrl = new URL('./gc-worker.mjs', import.meta.url);

function startMarkWorker(heap: Heap): { mw: MarkWorker; exited: Promise<unknown> } {
  let exited: Promise<unknown> = Promise.resolve();
  const mw = heap.startMarkWorker((handle) => {
    const w = new Worker(entry, { workerData: handle });
    exited = new Promise((resolve, reject) => {
      w.once('error', reject);
      w.once('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`mark worker exited ${code}`))));
    });
  });
  return { mw, exited };
}

function runMutator(data: object): Promise<{ reachable: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(mutatorUrl, { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`mutator exited ${code}`)));
  });
}

interface MObj {
  p: number;
  stamp: number;
  fields: number[] | null; // model ids in the pointer fields (0 = nil); null for a noscan blob
}

describe('background mark worker', () => {
  it('marks while one mutator churns: nothing reachable is ever freed (shadow graph, many cycles)', async () => {
    const heap = new Heap({ shared: true, maxBytes: 512 << 20 });
    heap.setGCPercent(5); // 200 KB minimum goal: a cycle every few hundred allocations
    const { mw, exited } = startMarkWorker(heap);
    await mw.started();
    expect(mw.state).toBe('running');
    const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0, 4, 8] }); // stamp at 12
    const Blob = heap.defineType({ name: 'Blob', size: 24 }); // stamp at 0
    const Big = heap.arrayType(Node, 3000); // 48 000 bytes: a large scan object (fields of element 0 used)
    const SLOTS = 64;
    const Table = heap.defineType({
      name: 'Table',
      size: 4 * SLOTS,
      pointers: Array.from({ length: SLOTS }, (_, k) => 4 * k),
    });
    const table = heap.root(heap.scope(() => heap.new(Table)));
    const objs = new Map<number, MObj>();
    const slots: number[] = new Array(SLOTS).fill(0);
    let nextId = 1;
    let stamp = 1;
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    const i32 = (): Int32Array => new Int32Array(heap.buffer);
    const stampAt = (o: MObj): number => (o.fields === null ? o.p : o.p + 12) >>> 2;

    function alloc(): number {
      const kind = rand(20);
      const o: MObj =
        kind < 14
          ? { p: heap.new(Node), stamp: stamp++, fields: [0, 0, 0] }
          : kind < 19
            ? { p: heap.new(Blob), stamp: stamp++, fields: null }
            : { p: heap.new(Big), stamp: stamp++, fields: [0, 0, 0] };
      i32()[stampAt(o)] = o.stamp;
      objs.set(nextId, o);
      return nextId++;
    }
    function check(id: number, limit: number): void {
      const seen = new Set<number>();
      const stack = [id];
      while (stack.length > 0 && seen.size < limit) {
        const x = stack.pop()!;
        if (x === 0 || seen.has(x)) continue;
        seen.add(x);
        const o = objs.get(x)!;
        heap.collector.sizeOf(o.p); // throws InvalidPointerError if it was freed
        if (i32()[stampAt(o)] !== o.stamp)
          throw new Error(`object ${x} at ${o.p}: stamp ${i32()[stampAt(o)]}, want ${o.stamp}`);
        if (o.fields === null) continue;
        for (let f = 0; f < 3; f++) {
          const want = o.fields[f]!;
          const got = heap.loadPointer(o.p, 4 * f);
          if (got !== (want === 0 ? 0 : objs.get(want)!.p))
            throw new Error(`object ${x} field ${f}: ${got}, want object ${want}`);
          stack.push(want);
        }
      }
    }
    const pointerOf = (id: number): number => (id === 0 ? 0 : objs.get(id)!.p);

    const STEPS = 40_000;
    for (let step = 0; step < STEPS; step++) {
      heap.scope(() => {
        const t = table.get();
        const k = rand(SLOTS);
        const j = rand(SLOTS);
        const r = rand(10);
        if (r < 4) {
          // A new object in slot k, pointing at slot j's object (chains grow), old k hangs off it.
          const id = alloc();
          const o = objs.get(id)!;
          if (o.fields !== null) {
            heap.storePointer(o.p, 0, pointerOf(slots[j]!));
            heap.storePointer(o.p, 4, pointerOf(slots[k]!));
            o.fields[0] = slots[j]!;
            o.fields[1] = slots[k]!;
          }
          heap.storePointer(t, 4 * k, o.p);
          slots[k] = id;
        } else if (r < 7) {
          // The lost-object pattern: hide slot j's object in field 2 of slot k's object, clear slot j.
          const dst = objs.get(slots[k]!);
          if (dst !== undefined && dst.fields !== null && k !== j) {
            heap.storePointer(dst.p, 8, pointerOf(slots[j]!));
            dst.fields[2] = slots[j]!;
            heap.storePointer(t, 4 * j, 0);
            slots[j] = 0;
          }
        } else if (r < 8) {
          heap.storePointer(t, 4 * k, 0);
          slots[k] = 0;
        } else {
          check(slots[k]!, 200);
        }
      });
      if (step % 5000 === 4999) for (const id of slots) check(id, Infinity);
    }
    for (const id of slots) check(id, Infinity);
    const during = heap.readMemStats();
    const stats = mw.stats();
    await mw.stop();
    await exited;
    expect(mw.state).toBe('stopped');
    expect(during.NumGC).toBeGreaterThan(20);
    expect(stats.cycles).toBeGreaterThan(10); // the worker really marked, in many cycles
    expect(stats.scanBytes).toBeGreaterThan(1 << 20);
    // After the worker stopped: exact accounting of what is reachable.
    heap.gc();
    heap.gc();
    const live = new Set<number>();
    const stack = [...slots];
    while (stack.length > 0) {
      const x = stack.pop()!;
      if (x === 0 || live.has(x)) continue;
      live.add(x);
      stack.push(...(objs.get(x)!.fields ?? []));
    }
    expect(heap.readMemStats().HeapObjects).toBe(live.size + 1); // + the table
  }, 120_000);

  it('several mutator Workers churn while only the mark worker (and assists) mark; exact HeapObjects after', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
    heap.setGCPercent(10);
    const { mw, exited } = startMarkWorker(heap);
    await mw.started();
    const handle = heap.handle();
    // The main thread only starts cycles (gcStep(1) marks a single object when one is running).
    let running = true;
    const starter = (async () => {
      while (running) {
        heap.gcStep(1);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const results = await Promise.all(
      [1, 2, 3].map((id) => runMutator({ handle, id, seed: id * 104729, steps: 20_000, stepWork: 0 })),
    );
    running = false;
    await starter;
    const before = heap.readMemStats().NumGC;
    const stats = mw.stats();
    await mw.stop();
    await exited;
    expect(before).toBeGreaterThan(3);
    expect(stats.cycles).toBeGreaterThan(2);
    expect(stats.scanBytes).toBeGreaterThan(0);
    heap.gc();
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(results.reduce((a, r) => a + r.reachable, 0));
  }, 120_000);

  it('heap.gc() while the worker holds grey objects waits for it; a big list survives whole', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
    const { mw, exited } = startMarkWorker(heap);
    await mw.started();
    const Cell = heap.defineType({ name: 'Cell', size: 8, pointers: [0] }); // next, index
    const N = 200_000;
    const head = heap.root(0);
    heap.scope(() => {
      let prev = 0;
      for (let k = 0; k < N; k++) {
        const c = heap.new(Cell);
        new Int32Array(heap.buffer)[(c + 4) >>> 2] = k;
        heap.storePointer(c, 0, prev);
        prev = c;
      }
      head.set(prev);
    });
    for (let round = 0; round < 5; round++) {
      heap.gcStep(1); // starts a cycle: the worker takes the list's head and runs down it
      await new Promise((r) => setTimeout(r, round)); // let it get going (or not)
      heap.gc();
      let n = 0;
      let wrong = 0;
      const i32 = new Int32Array(heap.buffer);
      for (let p = head.get(); p !== 0; p = heap.loadPointer(p, 0)) {
        if (i32[(p + 4) >>> 2] !== N - 1 - n) wrong++;
        n++;
      }
      expect([n, wrong]).toEqual([N, 0]);
      expect(heap.readMemStats().HeapObjects).toBe(N);
    }
    await mw.stop();
    await exited;
    heap.gc(); // without a worker: back to plain marking
    expect(heap.readMemStats().HeapObjects).toBe(N);
  }, 60_000);

  it('two workers mark in parallel: trees intact, exact HeapObjects after both stop', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
    heap.setGCPercent(20);
    const started = [startMarkWorker(heap), startMarkWorker(heap)];
    await Promise.all(started.map(({ mw }) => mw.started()));
    const Node = heap.defineType({ name: 'Node', size: 8, pointers: [0, 4] });
    const make = (d: number): number => {
      const n = heap.new(Node);
      if (d > 0) {
        heap.storePointer(n, 0, make(d - 1));
        heap.storePointer(n, 4, make(d - 1));
      }
      return n;
    };
    const check = (t: number): number => {
      const l = heap.loadPointer(t, 0);
      return l === 0 ? 1 : 1 + check(l) + check(heap.loadPointer(t, 4));
    };
    const long = heap.root(heap.scope(() => make(15)));
    let bad = 0;
    for (let i = 0; i < 300; i++) if (heap.scope(() => check(make(10))) !== 2047) bad++;
    expect(bad).toBe(0);
    expect(check(long.get())).toBe(65535);
    expect(heap.readMemStats().NumGC).toBeGreaterThan(5);
    expect(started.every(({ mw }) => mw.stats().cycles > 0)).toBe(true);
    await Promise.all(started.map(({ mw }) => mw.stop()));
    await Promise.all(started.map(({ exited }) => exited));
    heap.gc();
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(65535);
  }, 60_000);

  it('controls: needs a shared heap, at most 4 workers, a handle runs once, stop before start', async () => {
    expect(() => new Heap().startMarkWorker(() => undefined)).toThrow(/shared/);
    const heap = new Heap({ shared: true });
    expect(() => heap.startMarkWorker(42 as never)).toThrow(GcUsageError);
    const pending = [0, 1, 2, 3].map(() => heap.startMarkWorker(() => undefined)); // never launched
    expect(pending.every((m) => m.state === 'starting')).toBe(true);
    expect(() => heap.startMarkWorker(() => undefined)).toThrow(/at most 4/);
    for (const m of pending) await m.stop();
    expect(pending.every((m) => m.state === 'stopped')).toBe(true);
    // A launch that throws gives its slot back.
    expect(() =>
      heap.startMarkWorker(() => {
        throw new Error('no Workers here');
      }),
    ).toThrow('no Workers here');
    // A handle used by a second worker is refused; the first one runs.
    const { mw, exited } = startMarkWorker(heap);
    const handle: unknown = mw.handle;
    await mw.started();
    const second = new Worker(entry, { workerData: handle });
    const err = await new Promise<Error>((resolve) => second.once('error', resolve));
    expect(err.message).toMatch(/not waiting for a worker/);
    expect(mw.state).toBe('running');
    await mw.stop();
    await exited;
    await expect(mw.started(10)).resolves.toBeUndefined(); // already past starting
  }, 30_000);
});
