// The heap's event trace: Chrome trace-event JSON with heap growth, span refills, sweeps and GC cycles
// (sweep termination, mark, mark termination) in the order they happened, readable back with parseTrace; bad trace files named.
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';
import { HeapTracer, parseTrace, startTrace, stopTrace } from '../../src/profile/trace.js';
import { ProfileFormatError } from '../../src/profile/errors.js';

describe('heap trace', () => {
  it('records heap growth, span refills and page reclaims as Chrome trace events', () => {
    const heap = new Heap({ memProfileRate: 0 });
    const tracer = startTrace(heap);
    const ptrs: number[] = [];
    for (let i = 0; i < 3000; i++) ptrs.push(heap.malloc(4096)); // 12 MiB: the 4 MiB heap must grow
    for (const p of ptrs) heap.free(p);
    for (let i = 0; i < 200; i++) heap.free(heap.malloc(40000)); // large spans after frees: reclaim runs before growth
    for (let i = 0; i < 2000; i++) ptrs.push(heap.malloc(8192));
    stopTrace(heap);
    heap.malloc(64); // not traced any more
    const events = parseTrace(JSON.stringify(tracer));
    expect(events[0]).toMatchObject({ ph: 'M', name: 'thread_name' });
    const grows = events.filter((e) => e.name === 'heap grow');
    expect(grows.length).toBeGreaterThan(0);
    for (const g of grows) expect(g.args!.toBytes as number).toBeGreaterThan(g.args!.fromBytes as number);
    const refills = events.filter((e) => e.name === 'span refill');
    expect(refills.length).toBeGreaterThan(10);
    expect(refills.every((e) => e.ph === 'X' && e.dur! >= 0 && e.args!.sizeclass !== undefined)).toBe(true);
    expect(events.some((e) => e.name === 'sweep (page reclaim)' && e.ph === 'X')).toBe(true);
    // Timestamps never go backwards within a thread.
    const ts = events.filter((e) => e.ph !== 'M').map((e) => e.ts);
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeGreaterThanOrEqual(ts[i - 1]!);
    // The mapped size grows monotonically across the counter events, ending at the heap's size.
    const mapped = events.filter((e) => e.name === 'heap mapped').map((e) => e.args!.bytes as number);
    expect(mapped.at(-1)).toBe(heap.readMemStats().Sys);
  });

  it('keeps begin/end phases nested in order (the hook the collector reports GC phases through)', () => {
    const t = new HeapTracer(3);
    t.begin('GC');
    t.begin('GC sweep termination');
    t.end('GC sweep termination');
    t.begin('GC mark');
    t.end('GC mark');
    t.end('GC');
    const names = parseTrace(JSON.stringify(t.toJSON()))
      .filter((e) => e.ph === 'B' || e.ph === 'E')
      .map((e) => `${e.ph} ${e.name}`);
    expect(names).toEqual([
      'B GC',
      'B GC sweep termination',
      'E GC sweep termination',
      'B GC mark',
      'E GC mark',
      'E GC',
    ]);
  });

  it("contains the collector's cycles with their phases in order", () => {
    const heap = new Heap({ memProfileRate: 0 });
    const tracer = startTrace(heap); // the collector emits its cycles itself while a trace is on
    const Node = heap.defineType({ name: 'main.Node', size: 16, pointers: [0] });
    for (let round = 0; round < 3; round++) {
      heap.scope(() => {
        let head = 0;
        for (let i = 0; i < 20000; i++) {
          const n = heap.new(Node);
          heap.storePointer(n, 0, head);
          head = n;
        }
        return 0;
      });
      heap.gc();
    }
    stopTrace(heap);
    const events = parseTrace(JSON.stringify(tracer));
    const gc = events.filter((e) => e.name.startsWith('GC') && e.ph === 'X');
    const cycles = gc.filter((e) => e.name === 'GC');
    expect(cycles.length).toBeGreaterThanOrEqual(3);
    expect(cycles.map((e) => e.args!.cycle)).toEqual(cycles.map((_, i) => i + 1));
    for (const cyc of cycles) {
      const inside = gc.filter(
        (e) => e !== cyc && e.ts >= cyc.ts && e.ts + e.dur! <= cyc.ts + cyc.dur! + 0.01 && e.name !== 'GC assists',
      );
      expect(inside.map((e) => e.name)).toEqual(['GC sweep termination (STW)', 'GC mark', 'GC mark termination (STW)']);
      for (let i = 1; i < inside.length; i++)
        expect(inside[i]!.ts).toBeGreaterThanOrEqual(inside[i - 1]!.ts + inside[i - 1]!.dur! - 0.01);
    }
  });

  it('names bad trace files', () => {
    expect(() => parseTrace('{"traceEvents": [')).toThrow(ProfileFormatError);
    expect(() => parseTrace('{"events": []}')).toThrow(ProfileFormatError);
    expect(() => parseTrace('[{"name": "x", "ph": "Q", "ts": 1}]')).toThrow(ProfileFormatError);
    expect(() => parseTrace('[{"name": "x", "ph": "B"}]')).toThrow(ProfileFormatError);
    expect(parseTrace('[{"name": "x", "ph": "B", "ts": 1}]')).toHaveLength(1);
  });
});
