// `go tool pprof` reads the heap profiles we write: -top (inuse_space, the default for a heap profile)
// and -sample_index=alloc_space -top name this file's allocating functions with their byte counts.
// Skipped when `go` is not installed (CI installs Debian's golang-go).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';

const hasGo = spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;

function fillOrderCache(heap: Heap, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(heap.malloc(100)); // size class 112
  return out;
}

function decodeUploads(heap: Heap, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(heap.malloc(40000)); // large: 5 pages, 40960 B
  return out;
}

function pprofTop(file: string, ...flags: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gomem-pprof-home-'));
  const r = spawnSync('go', ['tool', 'pprof', ...flags, '-top', file], {
    encoding: 'utf8',
    env: {
      ...process.env,
      HOME: process.env.HOME ?? dir,
      PPROF_TMPDIR: dir,
      GOCACHE: process.env.GOCACHE ?? join(dir, 'gocache'),
    },
  });
  if (r.status !== 0) throw new Error(`go tool pprof failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The `flat` column of the -top row naming fn. */
function flatOf(top: string, fn: string): string | undefined {
  const row = top.split('\n').find((l) => l.trim().split(/\s+/).at(-1) === fn);
  return row?.trim().split(/\s+/)[0];
}

describe.skipIf(!hasGo)('go tool pprof on a profile we wrote', () => {
  const heap = new Heap({ memProfileRate: 1 });
  fillOrderCache(heap, 1000); // 112000 B, all kept
  for (const p of decodeUploads(heap, 4)) heap.free(p); // 163840 B, all freed
  const file = join(mkdtempSync(join(tmpdir(), 'gomem-pprof-')), 'heap.pb.gz');
  writeFileSync(file, heap.writeHeapProfile());

  it('-top shows in-use space at the allocating function', () => {
    const top = pprofTop(file);
    expect(top).toMatch(/Type: inuse_space/);
    const lines = top.split('\n');
    const first = lines[lines.findIndex((l) => /^\s+flat\s+flat%/.test(l)) + 1]!;
    expect(first.trim().split(/\s+/).at(-1)).toBe('fillOrderCache');
    expect(flatOf(top, 'fillOrderCache')).toBe('109.38kB');
    expect(flatOf(top, 'decodeUploads')).toBeUndefined(); // nothing of it is in use
    expect(flatOf(pprofTop(file, '-unit=B'), 'fillOrderCache')).toBe('112000B');
  });

  it('-sample_index=alloc_space -top shows everything allocated', () => {
    const top = pprofTop(file, '-sample_index=alloc_space');
    expect(top).toMatch(/Type: alloc_space/);
    expect(flatOf(top, 'decodeUploads')).toBe('160kB');
    expect(flatOf(top, 'fillOrderCache')).toBe('109.38kB');
    const exact = pprofTop(file, '-sample_index=alloc_space', '-unit=B');
    expect(flatOf(exact, 'decodeUploads')).toBe('163840B');
    expect(flatOf(exact, 'fillOrderCache')).toBe('112000B');
    expect(exact).toMatch(/275840B total/);
  });
});
