// `gomem demo` end to end, through the built CLI (bin/gomem.js → dist/): workloads, threads, the heap
// profile and trace files it writes, and usage errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/profile/pprof.js';
import { parseTrace } from '../../src/profile/trace.js';

const BIN = join(__dirname, '../../bin/gomem.js');
const gomem = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });

describe('gomem demo', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gomem-demo-'));

  it('leak workload: the profile puts the in-use bytes at rememberSession, exactly at rate 1', () => {
    const profile = join(dir, 'leak.pb.gz');
    const trace = join(dir, 'leak.json');
    const r = gomem(
      'demo',
      '--workload',
      'leak',
      '--steps',
      '20000',
      '--mem-profile-rate',
      '1',
      '--profile',
      profile,
      '--trace',
      trace,
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/leak: 20000 requests handled, 1000 session records \(512000 bytes\)/);
    expect(r.stdout).toMatch(/HeapAlloc\s+512000 /);
    expect(r.stdout).toMatch(/class\s+size\s+pages/);
    const p = decodeProfile(readFileSync(profile));
    const inuseAt = (fn: string) =>
      p.samples.filter((s) => s.stack[0]?.function === fn).reduce((a, s) => a + s.values[3]!, 0);
    expect(inuseAt('rememberSession')).toBe(512000);
    expect(inuseAt('handleRequest')).toBe(0);
    expect(p.samples.find((s) => s.stack[0]?.function === 'rememberSession')!.stack[1]!.function).toBe('handleRequest');
    const events = parseTrace(readFileSync(trace, 'utf8'));
    expect(events.some((e) => e.name === 'span refill')).toBe(true);
  });

  it('runs churn on two threads sharing one heap, and merges both threads into the files', () => {
    const profile = join(dir, 'churn.pb.gz');
    const trace = join(dir, 'churn.json');
    const r = gomem(
      'demo',
      '--workload',
      'churn',
      '--steps',
      '20000',
      '--live',
      '2000',
      '--threads',
      '2',
      '--profile',
      profile,
      '--trace',
      trace,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\[thread 0\] churn: 20000 free\+malloc steps/);
    expect(r.stdout).toMatch(/\[thread 1\] churn: 20000 free\+malloc steps/);
    const tids = new Set(parseTrace(readFileSync(trace, 'utf8')).map((e) => e.tid));
    expect([...tids].sort()).toEqual([0, 1]);
    expect(decodeProfile(readFileSync(profile)).samples.length).toBeGreaterThan(0);
  });

  it('runs binary-trees on collected objects, printing gctrace lines and tracing GC phases', () => {
    const trace = join(dir, 'trees.json');
    const r = gomem('demo', '--workload', 'binary-trees', '--steps', '1200', '--gctrace', '--trace', trace);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/binary-trees: 1200 trees of depth 4\.\.12 \(\d+ nodes checked\), collected objects/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('gc '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^gc 1 @\d+\.\d+s \d+%: .* ms clock, .* MB goal, .* P/);
    const numGC = Number(/NumGC\s+(\d+)/.exec(r.stdout)![1]);
    expect(lines.length).toBe(numGC);
    const phases = parseTrace(readFileSync(trace, 'utf8')).filter(
      (e) => e.name.startsWith('GC ') && e.name !== 'GC assists',
    );
    expect(phases.slice(0, 3).map((e) => e.name)).toEqual([
      'GC sweep termination (STW)',
      'GC mark',
      'GC mark termination (STW)',
    ]);
  });

  it('names bad options', () => {
    const bad = gomem('demo', '--workload', 'nope');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--workload must be one of churn, binary-trees, leak/);
    expect(gomem('demo', '--threads', '0').stderr).toMatch(/--threads must be an integer >= 1/);
    expect(gomem('demo', '--bogus').status).toBe(1);
    expect(gomem('demo', '--help').stdout).toMatch(/--profile FILE/);
  });
});
