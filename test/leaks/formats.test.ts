// Each reader on its own: the goroutine profile in each encoding, heap profiles alone, and the
// pprof pitfalls (gzip, BigInt, negative int64) on profiles built with pprof-format.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import { diagnoseLeaks, parseInput } from '../../src/leaks/index.js';
import { fixturesDir } from './expectations.js';

const files = (program: string, ...names: string[]) => names.map((n) => join(fixturesDir, program, n));
const debug2 = ['goroutine-1.debug2.txt.gz', 'goroutine-2.debug2.txt.gz'];
const debug1 = ['goroutine-1.debug1.txt.gz', 'goroutine-2.debug1.txt.gz'];
const debug0 = ['goroutine-1.pb.gz', 'goroutine-2.pb.gz'];

describe('goroutine profile encodings', () => {
  const cases: Array<[string, string, string, number]> = [
    ['recv_watch', 'goroutine-blocked-recv', 'main.watch', 18],
    ['send_fetch', 'goroutine-blocked-send', 'main.fetch.func1', 24],
    ['select_keepalive', 'goroutine-blocked-select', 'main.keepalive', 21],
    ['range_workers', 'goroutine-range-unclosed', 'main.worker', 13],
    ['lock_rwmutex', 'goroutine-blocked-lock', 'main.(*config).get', 27],
  ];
  for (const [program, kind, fn, line] of cases) {
    it(`${program}: debug=0 alone gives ${kind}`, async () => {
      const r = await diagnoseLeaks(files(program, ...debug0));
      expect(r.findings[0]).toMatchObject({ kind, function: fn, line, confidence: 'high' });
    });
    it(`${program}: debug=1 text, with debug=0 naming its hidden runtime PCs, gives ${kind}`, async () => {
      const r = await diagnoseLeaks(files(program, ...debug1, 'goroutine-2.pb.gz'));
      expect(r.findings[0]).toMatchObject({ kind, function: fn, line });
      expect(r.findings[0]!.evidence.primitiveUncertain).toBeUndefined();
    });
    it(`${program}: debug=2 text alone names the function and line`, async () => {
      const r = await diagnoseLeaks(files(program, ...debug2));
      const f = r.findings[0]!;
      expect({ function: f.function, line: f.line }).toEqual({ function: fn, line });
      // debug=2 says "chan receive" for both `<-ch` and `for range ch`: range needs debug=0.
      expect(f.kind).toBe(kind === 'goroutine-range-unclosed' ? 'goroutine-blocked-recv' : kind);
      expect(typeof f.evidence.createdBy).toBe('string');
    });
  }

  it('debug=1 alone: select and lock are certain, channel direction is flagged as uncertain', async () => {
    const sel = await diagnoseLeaks(files('select_subscriber', ...debug1));
    expect(sel.findings[0]).toMatchObject({ kind: 'goroutine-blocked-select', confidence: 'medium' });
    const lock = await diagnoseLeaks(files('lock_mutex', ...debug1));
    expect(lock.findings[0]).toMatchObject({ kind: 'goroutine-blocked-lock', confidence: 'high' });
    const send = await diagnoseLeaks(files('send_pipeline', ...debug1));
    expect(send.findings[0]!.evidence.primitiveUncertain).toBe(true);
    expect(send.summary.notes.join(' ')).toMatch(/debug=1 goroutine dumps hide the runtime frames/);
  });

  it('a stable pool of parked workers is not a leak', async () => {
    const r = await diagnoseLeaks(files('healthy_server', ...debug0, ...debug2));
    expect(r.findings).toEqual([]);
  });

  it('debug=2 parser groups identical goroutines and reads created-by', () => {
    const text = [
      'goroutine 7 [chan send, 12 minutes]:',
      'main.produce(0xc000010000)',
      '\t/src/app/main.go:40 +0x1d',
      'created by main.start in goroutine 1',
      '\t/src/app/main.go:33 +0x6a',
      '',
      'goroutine 8 [chan send, 3 minutes]:',
      'main.produce(0xc000010010)',
      '\t/src/app/main.go:40 +0x1d',
      'created by main.start in goroutine 1',
      '\t/src/app/main.go:33 +0x6a',
      '',
    ].join('\n');
    const p = parseInput('dump.txt', text);
    expect(p.kind).toBe('goroutine');
    if (p.kind !== 'goroutine') return;
    expect(p.snapshot.total).toBe(2);
    expect(p.snapshot.groups).toHaveLength(1);
    expect(p.snapshot.groups[0]).toMatchObject({
      count: 2,
      waitReason: 'chan send',
      waitMinutes: 12,
      createdBy: { function: 'main.start', line: 33 },
    });
  });
});

describe('heap profiles', () => {
  it("ordering comes from the profiles' own time stamps, not argument order", async () => {
    const forward = await diagnoseLeaks(files('cache_history', 'heap-1.pb.gz', 'heap-2.pb.gz'));
    const backward = await diagnoseLeaks(files('cache_history', 'heap-2.pb.gz', 'heap-1.pb.gz'));
    expect(backward.findings.map((f) => f.kind)).toEqual(forward.findings.map((f) => f.kind));
    expect(forward.findings[0]).toMatchObject({ kind: 'unbounded-growth', function: 'main.recordEvent', line: 20 });
  });

  it('three snapshots: growth that plateaued is not "unbounded"; the gauge shows the map was emptied', async () => {
    const r = await diagnoseLeaks(
      files('map_spike', 'heap-1.pb.gz', 'heap-2.pb.gz', 'heap-3.pb.gz', 'memstats.jsonl.gz'),
    );
    expect(r.findings.map((f) => f.kind)).toEqual(['map-no-shrink']);
    expect(r.findings[0]!.evidence.gauge).toBe('seen_len');
  });

  it('a single heap profile still flags many live timers and pinned buffers, with low confidence', async () => {
    const t = await diagnoseLeaks(files('timer_after', 'heap-2.pb.gz'));
    expect(t.findings[0]).toMatchObject({ kind: 'timer-not-stopped', confidence: 'low', function: 'main.pump' });
    const s = await diagnoseLeaks(files('subslice_packets', 'heap-2.pb.gz'));
    expect(s.findings[0]).toMatchObject({ kind: 'subslice-retention', confidence: 'low' });
    expect(s.summary.notes.join(' ')).toMatch(/Only one heap profile/);
  });

  it('the healthy server allocates hundreds of MiB of 1 MiB buffers and keeps none', async () => {
    const r = await diagnoseLeaks(files('healthy_server', 'heap-1.pb.gz', 'heap-2.pb.gz'));
    expect(r.findings).toEqual([]);
    expect(r.summary.notes.join(' ')).toMatch(/main\.readPacket .* allocated .*, 0\.0% still live/);
  });
});

describe('pprof-format pitfalls', () => {
  function build(values: Array<number | bigint>, gzip: boolean): Uint8Array {
    const st = new StringTable();
    const s = (x: string) => st.dedup(x);
    const sampleType = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map(
      (t, i) => new ValueType({ type: s(t), unit: s(i % 2 ? 'bytes' : 'count') }),
    );
    const fn = new PFunction({ id: 1, name: s('main.grow'), filename: s('app/main.go') });
    const loc = new Location({ id: 1, address: 0x1000, line: [new Line({ functionId: 1, line: 12 })] });
    const sample = new Sample({ locationId: [1], value: values, label: [new Label({ key: s('bytes'), num: 4096 })] });
    const p = new Profile({
      sampleType,
      sample: [sample],
      location: [loc],
      function: [fn],
      stringTable: st,
      timeNanos: 1_700_000_000_000_000_000n,
      periodType: new ValueType({ type: s('space'), unit: s('bytes') }),
      period: 524288,
    });
    const raw = p.encode();
    return gzip ? gzipSync(raw) : raw;
  }

  it('values above 2^28 (decoded as BigInt) and negative int64s become plain numbers', () => {
    const p = parseInput('big.pb.gz', build([1, 3_000_000_000, -1, 5_000_000_000n], true));
    expect(p.kind).toBe('heap');
    if (p.kind !== 'heap') return;
    const [sample] = p.snapshot.samples;
    expect(sample).toMatchObject({
      allocSpace: 3_000_000_000,
      inuseObjects: -1,
      inuseSpace: 5_000_000_000,
      objectSize: 4096,
    });
    expect(typeof sample!.inuseSpace).toBe('number');
    expect(p.snapshot.timeNanos).toBeGreaterThan(1.6e18);
    expect(p.snapshot.samples[0]!.stack).toEqual([{ function: 'main.grow', file: 'app/main.go', line: 12 }]);
  });

  it('reads raw (not gzipped) protobuf too', () => {
    expect(parseInput('raw.pb', build([1, 10, 1, 10], false)).kind).toBe('heap');
  });

  it('decodes a real Go 1.19 heap profile written by pprof.WriteHeapProfile', () => {
    const p = parseInput('heap', readFileSync(join(fixturesDir, 'timer_after', 'heap-2.pb.gz')));
    if (p.kind !== 'heap') throw new Error('expected a heap profile');
    expect(p.snapshot.period).toBe(32 << 10);
    const timers = p.snapshot.samples.filter((s) => s.stack[0]!.function === 'time.NewTimer');
    expect(timers.length).toBeGreaterThan(0);
    expect(timers.every((s) => s.stack.some((f) => f.function === 'main.pump'))).toBe(true);
  });
});
