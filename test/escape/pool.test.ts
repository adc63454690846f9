// Several packages on the worker pool (gomem escape with more than one directory): the output
// is the same, byte for byte and in argument order, as analysing them one after the other in
// one thread; a package that does not parse stops the command after the packages before it,
// with the same typed error; -j is validated.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/gomem.js');
const run = (args: string[], cwd: string) => spawnSync('node', [bin, 'escape', ...args], { cwd, encoding: 'utf8' });

/** Five small packages of different sizes, so that they finish out of order on two threads. */
function packages(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gomem-pool-'));
  const body = (i: number, n: number) =>
    `package p${i}\n\nvar sink interface{}\n\ntype T struct{ a, b int }\n\n` +
    Array.from(
      { length: n },
      (_, k) => `func f${k}(p *int) *T { x := &T{a: *p}; if k := ${k}; k > 1 { sink = x }; return &T{b: ${k}} }\n`,
    ).join('');
  [40, 1, 25, 2, 60].forEach((n, i) => {
    mkdirSync(join(dir, `p${i}`));
    writeFileSync(join(dir, `p${i}`, 'a.go'), body(i, n));
  });
  return dir;
}

describe.skipIf(!existsSync(join(root, 'dist/escape/pool-worker.js')))('gomem escape on a worker pool', () => {
  const dir = packages();
  const pkgs = ['p0', 'p1', 'p2', 'p3', 'p4'];

  it('prints -m, -m=2 and the report in argument order, identical to one thread', () => {
    for (const flags of [['-m'], ['-m=2'], []]) {
      const one = run([...flags, '-j', '1', ...pkgs], dir);
      const two = run([...flags, '-j', '2', ...pkgs], dir);
      expect(one.status).toBe(0);
      expect(two.status).toBe(0);
      expect(two.stdout).toBe(one.stdout);
      expect(two.stderr).toBe(one.stderr);
    }
    const m = run(['-m', '-j2', ...pkgs], dir).stdout;
    const firstLine = (p: string) => m.indexOf(`${p}/a.go:`);
    expect(firstLine('p0')).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < pkgs.length; i++) expect(firstLine(pkgs[i]!)).toBeGreaterThan(firstLine(pkgs[i - 1]!));
  });

  it('--json gives one report per package in order', () => {
    const r = run(['--json', '--jobs=2', ...pkgs], dir);
    expect(r.status).toBe(0);
    const reports = JSON.parse(r.stdout) as { package: string }[];
    expect(reports.map((x) => JSON.stringify(x)).join()).toBe(
      (JSON.parse(run(['--json', '-j', '1', ...pkgs], dir).stdout) as object[]).map((x) => JSON.stringify(x)).join(),
    );
    expect(reports).toHaveLength(5);
  });

  it('stops at a package that does not parse, after printing the ones before it', () => {
    mkdirSync(join(dir, 'bad'), { recursive: true });
    writeFileSync(join(dir, 'bad', 'a.go'), 'package bad\n\nfunc f( {\n');
    const r = run(['-m', '-j', '2', 'p0', 'bad', 'p4'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad/a.go:3:');
    expect(r.stderr).toContain('syntax error');
    expect(r.stdout).toContain('p0/a.go:');
    expect(r.stdout).not.toContain('p4/a.go:');
  });

  it('rejects a bad job count', () => {
    expect(run(['-m', '-j', '0', 'p0'], dir).status).toBe(2);
    expect(run(['-m', '--jobs', 'x', 'p0'], dir).status).toBe(2);
  });
});
