// Bad input for every reader: a clear, typed error that names the file, and no report.
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'fflate';
import { Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { describe, expect, it } from 'vitest';
import {
  CorruptInputError,
  EmptyInputError,
  LeakInputError,
  NoInputsError,
  UnreadableInputError,
  WrongInputKindError,
  diagnoseLeaks,
} from '../../src/leaks/index.js';
import { fixturesDir } from './expectations.js';

const dir = mkdtempSync(join(tmpdir(), 'gomem-leaks-bad-'));
const fixture = (p: string, f: string) => readFileSync(join(fixturesDir, p, f));
function put(name: string, data: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

async function expectError(
  inputs: string[],
  type: new (...a: never[]) => LeakInputError,
  name: string,
  mention: string,
  message?: RegExp,
) {
  const err = await diagnoseLeaks(inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(LeakInputError);
  const e = err as LeakInputError;
  expect(e.name).toBe(name);
  expect(e.source).toBe(mention);
  expect(e.message).toContain(mention);
  if (message) expect(e.message).toMatch(message);
}

describe('bad inputs give typed errors naming the file', () => {
  it('empty file', async () => {
    const p = put('empty.pb.gz', '');
    await expectError([p], EmptyInputError, 'EmptyInputError', p, /empty/);
  });

  it('gzip of nothing, and whitespace-only text', async () => {
    const p = put('nothing.gz', gzipSync(new Uint8Array(0)));
    await expectError([p], EmptyInputError, 'EmptyInputError', p);
    const w = put('blank.txt', '\n  \n');
    await expectError([w], EmptyInputError, 'EmptyInputError', w);
  });

  it('truncated gzip heap profile', async () => {
    const whole = fixture('cache_history', 'heap-2.pb.gz');
    const p = put('truncated-heap.pb.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    await expectError([p], CorruptInputError, 'CorruptInputError', p, /gzip data is corrupt or truncated/);
  });

  it('truncated protobuf inside intact gzip', async () => {
    const raw = gunzipSync(fixture('cache_history', 'heap-2.pb.gz'));
    const p = put('cut.pb.gz', gzipSync(raw.subarray(0, Math.floor(raw.length * 0.6))));
    await expectError([p], CorruptInputError, 'CorruptInputError', p, /pprof/);
  });

  it('random bytes', async () => {
    const bytes = new Uint8Array(512);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251;
    const p = put('random.bin', bytes);
    await expectError([p], CorruptInputError, 'CorruptInputError', p);
  });

  it('a CPU profile is the wrong kind', async () => {
    const st = new StringTable();
    const s = (x: string) => st.dedup(x);
    const prof = new Profile({
      sampleType: [
        new ValueType({ type: s('samples'), unit: s('count') }),
        new ValueType({ type: s('cpu'), unit: s('nanoseconds') }),
      ],
      sample: [new Sample({ locationId: [], value: [1, 10_000_000] })],
      stringTable: st,
      periodType: new ValueType({ type: s('cpu'), unit: s('nanoseconds') }),
      period: 10_000_000,
    });
    const p = put('cpu.pprof', gzipSync(prof.encode()));
    await expectError([p], WrongInputKindError, 'WrongInputKindError', p, /CPU profile/);
  });

  it('a Go source file is the wrong kind', async () => {
    const p = put('main.go', 'package main\n\nfunc main() {}\n');
    await expectError([p], WrongInputKindError, 'WrongInputKindError', p, /neither a goroutine dump/);
  });

  it('heap profile in debug=1 text form', async () => {
    const p = put('heap.txt', 'heap profile: 1: 8 [1: 8] @ heap/1048576\n1: 8 [1: 8] @ 0x1\n');
    await expectError([p], WrongInputKindError, 'WrongInputKindError', p, /debug=1 text form/);
  });

  it('truncated debug=1 goroutine dump', async () => {
    const text = new TextDecoder().decode(gunzipSync(fixture('lock_mutex', 'goroutine-2.debug1.txt.gz')));
    const p = put('g1.txt', text.slice(0, text.indexOf('\n\n') > 0 ? text.lastIndexOf('\n1 @') : text.length / 2));
    await expectError([p], CorruptInputError, 'CorruptInputError', p, /truncated/);
  });

  it('truncated debug=2 goroutine dump', async () => {
    const text = new TextDecoder().decode(gunzipSync(fixture('lock_mutex', 'goroutine-2.debug2.txt.gz')));
    const cut = text.slice(0, text.indexOf('created by') + 5);
    const p = put('g2.txt', cut.slice(0, cut.lastIndexOf('\n') + 1) + 'created by main.main\n');
    await expectError([p], CorruptInputError, 'CorruptInputError', p, /truncated or malformed/);
  });

  it('truncated MemStats series (last line cut)', async () => {
    const text = new TextDecoder().decode(gunzipSync(fixture('map_sessions', 'memstats.jsonl.gz')));
    const p = put('series.jsonl', text.slice(0, text.length - 100));
    await expectError([p], CorruptInputError, 'CorruptInputError', p, /not valid JSON \(truncated file\?\)/);
  });

  it('JSON lines that are not MemStats', async () => {
    const p = put('other.jsonl', '{"level":"info","msg":"started"}\n');
    await expectError([p], WrongInputKindError, 'WrongInputKindError', p, /not a runtime.MemStats/);
  });

  it('missing path', async () => {
    const p = join(dir, 'does-not-exist.pb.gz');
    await expectError([p], UnreadableInputError, 'UnreadableInputError', p, /ENOENT/);
  });

  it('no inputs, and a directory with nothing readable', async () => {
    await expect(diagnoseLeaks([])).rejects.toBeInstanceOf(NoInputsError);
    const d = join(dir, 'junk');
    mkdirSync(d);
    writeFileSync(join(d, 'README.md'), '# notes\n');
    const err = await diagnoseLeaks([d]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoInputsError);
    expect((err as Error).message).toContain(d);
  });

  it('a directory skips unrecognised files but still fails on a corrupt profile', async () => {
    const d = join(dir, 'mixed');
    mkdirSync(d);
    for (const f of ['heap-1.pb.gz', 'heap-2.pb.gz']) copyFileSync(join(fixturesDir, 'cache_history', f), join(d, f));
    writeFileSync(join(d, 'notes.txt'), 'collected on Tuesday\n');
    const ok = await diagnoseLeaks([d]);
    expect(ok.findings[0]!.kind).toBe('unbounded-growth');
    expect(ok.skipped).toEqual([join(d, 'notes.txt')]);
    const bad = join(d, 'heap-3.pb.gz');
    writeFileSync(bad, fixture('cache_history', 'heap-2.pb.gz').subarray(0, 100));
    await expectError([d], CorruptInputError, 'CorruptInputError', bad);
  });

  it('in-memory inputs are named by the caller', async () => {
    const err = await diagnoseLeaks([{ name: 'upload #3', data: new Uint8Array([0x1f, 0x8b, 1, 2, 3]) }]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CorruptInputError);
    expect((err as Error).message).toMatch(/^upload #3: /);
  });
});
