// The `gomem escape` command line: help, -m output in Go's format, the human report, --json,
// directories as packages, and clean failures for bad input.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/gomem.js');
const corpus = join(import.meta.dirname, 'corpus');
const run = (args: string[], cwd = corpus) => spawnSync('node', [bin, 'escape', ...args], { cwd, encoding: 'utf8' });

describe.skipIf(!existsSync(join(root, 'dist/escape/cli.js')))('gomem escape CLI', () => {
  it('--help describes the options', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-m');
    expect(r.stdout).toContain('--json');
  });

  it('-m -l prints go tool compile lines', () => {
    const r = run(['-m', '-l', 'returned.go']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('returned.go:9:2: moved to heap: x');
    expect(r.stdout).toContain('returned.go:14:9: &T{...} escapes to heap');
  });

  it('without -m prints a report per function with reasons and a summary', () => {
    const r = run(['closure.go']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('func counter:');
    expect(r.stdout).toContain('closure capture');
    expect(r.stdout).toMatch(/summary:/);
  });

  it('--json gives allocations, reasons and flows', () => {
    const r = run(['--json', 'dynamic.go']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.package).toBe('p');
    expect(j.summary['dynamic size or growth']).toBeGreaterThanOrEqual(1);
    expect(j.allocations.some((a: { message: string }) => a.message === 'make([]int, n) escapes to heap')).toBe(true);
  });

  it('treats a directory as one package', () => {
    const d = mkdtempSync(join(tmpdir(), 'gomem-pkg-'));
    writeFileSync(join(d, 'a.go'), 'package q\n\nfunc A() *int { return B() }\n');
    writeFileSync(join(d, 'b.go'), 'package q\n\nfunc B() *int { x := 1; return &x }\n');
    writeFileSync(join(d, 'b_test.go'), 'package q\n\nfunc broken( {\n');
    const r = run(['-m', d], d);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/b\.go:3:17: moved to heap: x/);
  });

  it('reports a file that does not parse as file:line:col and exits 1', () => {
    const d = mkdtempSync(join(tmpdir(), 'gomem-bad-'));
    mkdirSync(join(d, 'x'));
    writeFileSync(join(d, 'x', 'bad.go'), 'package p\n\nfunc f() {\n\tif {\n}\n');
    const r = run(['-m', join(d, 'x', 'bad.go')], d);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bad\.go:\d+:\d+: syntax error/);
  });

  it('rejects unknown flags and missing files', () => {
    expect(run(['--bogus', 'a.go']).status).toBe(2);
    const r = run(['/nonexistent/x.go']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no such file');
  });
});
