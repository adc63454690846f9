// The pacer against Go's formulas, GOGC=off, the memory limit, finalizers and the gctrace line.
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';
import { pacerState } from '../../src/runtime/gc/cycle.js';
import { HEAP_MINIMUM, pace, triggerFor } from '../../src/runtime/gc/pacer.js';
import { fmtMs } from '../../src/runtime/gc/trace.js';

const MiB = 1 << 20;

function liveHeap(gogc: number, mib: number) {
  const heap = new Heap({ maxBytes: 512 * MiB });
  heap.setGCPercent(gogc);
  const roots = [];
  for (let i = 0; i < mib; i++) roots.push(heap.root(heap.scope(() => heap.newArray(heap.byteType, MiB))));
  heap.gc();
  return { heap, roots };
}

describe('pacer', () => {
  for (const gogc of [100, 50, 200]) {
    it(`GOGC=${gogc}: the goal after a cycle is Go's heapMarked + (heapMarked + stacks + globals) × GOGC/100`, () => {
      const { heap } = liveHeap(gogc, 10);
      const marked = 10 * MiB; // ten 1 MiB objects, whole pages each
      const globals = 10 * 4; // ten root handles
      const want = marked + Math.floor(((marked + globals) * gogc) / 100);
      expect(heap.readMemStats().NextGC).toBe(want);
      const p = pacerState(heap.collector);
      expect(p.heapMarked).toBe(marked);
      // Trigger between 45/64 and 61/64 of the runway (or goal − 4 MiB), as Go clamps it.
      const gap = want - marked;
      expect(p.trigger).toBeGreaterThanOrEqual(marked + Math.floor(gap / 64) * 45);
      expect(p.trigger).toBeLessThanOrEqual(Math.max(marked + Math.floor(gap / 64) * 61, want - HEAP_MINIMUM));
    });
  }

  it('a small heap gets the 4 MiB × GOGC/100 minimum goal', () => {
    const heap = new Heap();
    heap.scope(() => heap.newArray(heap.byteType, 1000));
    expect(heap.readMemStats().NextGC).toBe(4 * MiB);
    heap.setGCPercent(50);
    expect(heap.readMemStats().NextGC).toBe(2 * MiB);
  });

  it("matches the reference's worked example (GOGC=100, 100 MiB marked, 2 MiB stacks, 1 MiB globals)", () => {
    const out = pace({
      gcPercent: 100,
      memoryLimit: Infinity,
      heapMarked: 100 * MiB,
      stackScan: 2 * MiB,
      globalsScan: 1 * MiB,
      lastHeapScan: 0,
      consMark: 0,
      mappedReady: 0,
      heapFree: 0,
      heapAlloc: 0,
    });
    expect(out.goal).toBe(203 * MiB);
    expect(out.trigger).toBe(203 * MiB - 4 * MiB); // runway 0: the max trigger, goal − 4 MiB
    const withRunway = triggerFor(
      {
        gcPercent: 100,
        memoryLimit: Infinity,
        heapMarked: 100 * MiB,
        stackScan: 2 * MiB,
        globalsScan: 1 * MiB,
        lastHeapScan: 100 * MiB,
        consMark: 1,
        mappedReady: 0,
        heapFree: 0,
        heapAlloc: 0,
      },
      out.goal,
      true,
    );
    expect(withRunway).toBe(100 * MiB + Math.floor((103 * MiB) / 64) * 45); // runway > gap: the min trigger
  });

  it('GOGC=off never collects', () => {
    const heap = new Heap({ maxBytes: 256 * MiB });
    heap.setGCPercent(-1);
    for (let i = 0; i < 40; i++) heap.scope(() => heap.newArray(heap.byteType, MiB));
    const st = heap.readMemStats();
    expect(st.NumGC).toBe(0);
    expect(st.HeapObjects).toBe(40);
    expect(st.NextGC).toBe(2 ** 64 - 1);
  });

  it('collects automatically at GOGC=100 and keeps HeapSys near the goal', () => {
    const heap = new Heap({ maxBytes: 256 * MiB });
    const keep = heap.root(heap.scope(() => heap.newArray(heap.byteType, 8 * MiB)));
    let peakSys = 0;
    for (let i = 0; i < 4000; i++) {
      heap.scope(() => {
        heap.newArray(heap.byteType, 16 * 1024); // garbage when the scope returns (nothing escapes)
      });
      if (i % 100 === 0) peakSys = Math.max(peakSys, heap.readMemStats().HeapSys);
    }
    const st = heap.readMemStats();
    expect(st.NumGC).toBeGreaterThan(2);
    expect(st.NumForcedGC).toBe(0);
    expect(peakSys).toBeLessThan(3 * 8 * MiB); // goal is ~16 MiB
    keep.release();
  });

  it('a memory limit makes cycles happen earlier', () => {
    const cycles = (limit: number) => {
      const heap = new Heap({ maxBytes: 256 * MiB });
      heap.setMemoryLimit(limit);
      const keep = heap.root(heap.scope(() => heap.newArray(heap.byteType, 8 * MiB)));
      for (let i = 0; i < 2000; i++) {
        heap.scope(() => {
          heap.newArray(heap.byteType, 16 * 1024);
        });
      }
      keep.release();
      return heap.readMemStats().NumGC;
    };
    expect(cycles(12 * MiB)).toBeGreaterThan(cycles(Infinity));
  });
});

describe('finalizers', () => {
  it('run once the object is unreachable; the object and what it references live one more cycle', () => {
    const heap = new Heap();
    const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0] });
    const seen: number[] = [];
    const child = heap.scope(() => {
      const obj = heap.new(Node);
      const c = heap.new(Node);
      new Int32Array(heap.buffer)[(c + 8) >>> 2] = 99;
      heap.storePointer(obj, 0, c);
      heap.setFinalizer(obj, (p) => {
        seen.push(p);
        // Resurrected: still a live object, its referent intact.
        expect(new Int32Array(heap.buffer)[(heap.loadPointer(p, 0) + 8) >>> 2]).toBe(99);
      });
      return 0;
    });
    expect(child).toBe(0);
    heap.gc();
    expect(seen.length).toBe(1);
    expect(heap.readMemStats().HeapObjects).toBe(2); // resurrected for this cycle
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(0);
    expect(seen.length).toBe(1); // once
  });

  it('a finalizer that roots its object keeps it', () => {
    const heap = new Heap();
    const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0] });
    let saved: ReturnType<Heap['root']> | null = null;
    heap.scope(() => {
      heap.setFinalizer(heap.new(Node), (p) => {
        saved = heap.root(p);
      });
    });
    heap.gc();
    heap.gc();
    expect(saved).not.toBeNull();
    expect(heap.readMemStats().HeapObjects).toBe(1);
    saved!.release();
    heap.gc();
    expect(heap.readMemStats().HeapObjects).toBe(0);
  });

  it('reachable objects are not finalized; a removed finalizer never runs', () => {
    const heap = new Heap();
    const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0] });
    let runs = 0;
    const r = heap.root(heap.scope(() => heap.new(Node)));
    heap.setFinalizer(r.get(), () => runs++);
    heap.gc();
    expect(runs).toBe(0);
    heap.setFinalizer(r.get(), null);
    r.release();
    heap.gc();
    expect(runs).toBe(0);
  });
});

describe('MemStats and gctrace', () => {
  it("prints Go's gctrace=1 line and fills the GC fields", () => {
    const heap = new Heap();
    const lines: string[] = [];
    heap.setGCTrace((line) => lines.push(line));
    const before = Date.now() * 1e6;
    heap.scope(() => heap.newArray(heap.byteType, 100));
    heap.gc();
    heap.gc();
    expect(lines.length).toBe(2);
    const re =
      /^gc (\d+) @\d+\.\d{3}s \d+%: [\d.]+\+[\d.]+\+[\d.]+ ms clock, [\d.]+\+[\d.]+\/[\d.]+\/[\d.]+\+[\d.]+ ms cpu, \d+->\d+->\d+ MB, \d+ MB goal, \d+ MB stacks, \d+ MB globals, \d+ P \(forced\)$/;
    expect(lines[0]).toMatch(re);
    expect(lines[1]).toMatch(/^gc 2 @/);
    const st = heap.readMemStats();
    expect(st.NumGC).toBe(2);
    expect(st.NumForcedGC).toBe(2);
    expect(st.PauseTotalNs).toBe(st.PauseNs[0]! + st.PauseNs[1]!);
    expect(st.PauseNs[0]).toBeGreaterThan(0);
    expect(st.LastGC).toBe(st.PauseEnd[1]);
    expect(st.LastGC).toBeGreaterThanOrEqual(before);
    expect(st.GCCPUFraction).toBeGreaterThan(0);
    expect(st.GCCPUFraction).toBeLessThanOrEqual(1);
  });

  it("formats times as Go's fmtNSAsMS does", () => {
    expect(fmtMs(0.05)).toBe('0.050');
    expect(fmtMs(0.39)).toBe('0.39');
    expect(fmtMs(1.234)).toBe('1.2');
    expect(fmtMs(9.5)).toBe('9.5');
    expect(fmtMs(12.7)).toBe('12');
    expect(fmtMs(0.0004)).toBe('0');
  });
});
