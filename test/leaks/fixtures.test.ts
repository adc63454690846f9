// Every committed fixture (profiles and series written by the Go programs in programs/) must be
// diagnosed as its program leaks, naming the right user function, file and line; the healthy
// controls must get no finding and a "no leak found" verdict with supporting figures.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseLeaks } from '../../src/leaks/index.js';
import { expectations, fixturesDir } from './expectations.js';

describe('fixture programs are diagnosed correctly (all inputs of each program)', () => {
  it('covers every program directory, with at least two programs per leak kind', () => {
    const dirs = readdirSync(fixturesDir).sort();
    expect(dirs).toEqual(expectations.map((e) => e.program).sort());
    const perKind = new Map<string, number>();
    for (const e of expectations) perKind.set(String(e.kind), (perKind.get(String(e.kind)) ?? 0) + 1);
    expect(perKind.size).toBe(10);
    for (const count of perKind.values()) expect(count).toBeGreaterThanOrEqual(2);
  });

  for (const e of expectations) {
    it(`${e.program} -> ${e.kind ?? 'no leak'}`, async () => {
      const report = await diagnoseLeaks([join(fixturesDir, e.program)]);
      if (e.kind === null) {
        expect(report.findings).toEqual([]);
        expect(report.summary.verdict).toBe('no leak found');
        expect(report.summary.notes.join('\n')).toMatch(/goroutines: \d+ -> \d+/);
        expect(report.summary.notes.join('\n')).toMatch(/still live: churn, not retention/);
        return;
      }
      const top = report.findings[0]!;
      expect(top.kind).toBe(e.kind);
      expect(top.function).toBe(e.function);
      expect(top.file).toBe(`gomemleaks/${e.program}/main.go`);
      expect(top.line).toBe(e.line);
      expect(top.confidence).not.toBe('low');
      for (const f of report.findings.slice(1)) expect([e.kind, ...(e.alsoAllowed ?? [])]).toContain(f.kind);
      expect(top.fix.length).toBeGreaterThan(40);
      expect(Array.isArray(top.evidence.stack)).toBe(true);
    });
  }
});

describe('evidence carries the numbers', () => {
  it('goroutine leak: counts, growth, created-by and pinned heap', async () => {
    const r = await diagnoseLeaks([join(fixturesDir, 'recv_watch')]);
    const ev = r.findings[0]!.evidence;
    expect(ev.goroutinesFirst).toBe(400);
    expect(ev.goroutinesLast).toBe(800);
    expect(ev.growth).toBe(400);
    expect(ev.blockedIn).toBe('runtime.chanrecv1');
    expect(ev.waitReason).toBe('chan receive');
    expect(ev.createdBy).toBe('main.handle gomemleaks/recv_watch/main.go:25');
    expect(Number(ev.pinnedHeapBytes)).toBeGreaterThan(0);
  });

  it('sub-slice retention: 1 MiB buffers, nearly all kept', async () => {
    const r = await diagnoseLeaks([join(fixturesDir, 'subslice_packets')]);
    const ev = r.findings[0]!.evidence;
    expect(ev.bufferBytes).toBe(1 << 20);
    expect(Number(ev.keptFraction)).toBeGreaterThan(0.9);
    expect(Number(ev.inuseObjectsLast)).toBeGreaterThan(Number(ev.inuseObjectsFirst));
  });

  it('map that no longer shrinks: big live array atop a x2 ladder, population gone', async () => {
    const r = await diagnoseLeaks([join(fixturesDir, 'map_sessions')]);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('high');
    const ladder = f.evidence.doublingLadderBytes as number[];
    expect(ladder.length).toBeGreaterThanOrEqual(2);
    expect(Number(f.evidence.largestLiveObjectBytes)).toBeGreaterThan(1 << 20);
    expect(f.evidence.gauge).toBe('map_len');
    expect(f.evidence.gaugeLast).toBe(0);
    expect(Number(f.evidence.objectsAtSiteLast)).toBeLessThan(Number(f.evidence.objectsAtSitePeak) / 2);
  });

  it('timers: thousands of live timer objects under the user loop', async () => {
    const r = await diagnoseLeaks([join(fixturesDir, 'timer_after')]);
    expect(Number(r.findings[0]!.evidence.timerObjectsLast)).toBeGreaterThan(
      Number(r.findings[0]!.evidence.timerObjectsFirst),
    );
    expect((r.findings[0]!.evidence.stack as string[])[0]).toMatch(/^time\./);
  });
});
