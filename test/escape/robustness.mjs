#!/usr/bin/env node
// Robustness and speed sweep: runs the analyser over every package directory under a Go source
// tree (default: $(go env GOROOT)/src), as `go build` would group files, and reports packages
// that threw anything other than a clean GoParseError, plus timing. Packages go to a pool of
// worker threads (one per core by default, the CLI's pool); `--threads 1` analyses them in this
// thread. With --budget-ms no package is started after the budget, and the ones started finish.
// lines/s is all lines of the packages analysed over wall time; linesPerThreadSecond divides by
// the summed per-package analysis time instead (what one thread does when it is never idle),
// linesPerCpuSecond by the CPU time all threads of the process used.
// Usage: node test/escape/robustness.mjs [ROOT] [--limit N] [--budget-ms MS] [--threads N]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEscape } from '../../dist/escape/index.js';
import { goBuildFiles } from '../../dist/escape/cli.js';
import { defaultThreads, EscapePool } from '../../dist/escape/pool.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
let root = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const limit = opt('--limit', Infinity);
const budget = opt('--budget-ms', Infinity);
const threads = opt('--threads', defaultThreads());
if (!root) root = join(execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim(), 'src');

const dirs = [];
(function walk(d) {
  for (const name of readdirSync(d)) {
    if (name === 'testdata' || name.startsWith('.') || name.startsWith('_')) continue;
    const p = join(d, name);
    if (statSync(p).isDirectory()) {
      dirs.push(p);
      walk(p);
    }
  }
})(root);

const pool = threads > 1 ? new EscapePool(threads) : null;
const inThread = async (input) => {
  const s = performance.now();
  try {
    await analyzeEscape(input);
    return { ok: true, ms: performance.now() - s };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - s };
  }
};

const t0 = Date.now();
const cpu0 = process.cpuUsage();
let pkgs = 0,
  files = 0,
  lines = 0,
  parseErrors = 0,
  busyMs = 0,
  slowest = { ms: 0, dir: '' };
const failures = [];
const inFlight = new Set();
const settle = (dir, o) => {
  busyMs += o.ms;
  if (o.ms > slowest.ms) slowest = { ms: Math.round(o.ms), dir };
  if (o.ok) return;
  const e = o.error;
  if (e && e.name === 'GoParseError' && /:\d+:\d+: syntax error/.test(e.message)) parseErrors++;
  else failures.push({ dir, error: String(e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : e) });
};
// With a pool, the next package is the largest of the next few in directory order, so a huge
// one (cmd/compile/internal/ssa is a quarter of the tree) starts early instead of leaving the
// other workers idle at the end of a budgeted run; the packages analysed stay those near the
// front of the tree (64 directories ahead reach ssa from the start).
const lookahead = pool ? 64 : 1;
const window = [];
let next = 0;
const refill = () => {
  while (window.length < lookahead && next < dirs.length) {
    const dir = dirs[next++];
    let names;
    try {
      names = goBuildFiles(dir);
    } catch {
      continue;
    }
    if (names.length === 0) continue;
    const input = names.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
    window.push({ dir, input, size: input.reduce((n, f) => n + f.text.length, 0) });
  }
};
for (;;) {
  if (pkgs >= limit || Date.now() - t0 > budget) break;
  refill();
  if (window.length === 0) break;
  let pick = 0;
  for (let i = 1; i < window.length; i++) if (window[i].size > window[pick].size) pick = i;
  const { dir, input } = window.splice(pick, 1)[0];
  pkgs++;
  files += input.length;
  for (const f of input) lines += f.text.split('\n').length;
  if (!pool) {
    settle(dir, await inThread(input));
    continue;
  }
  const p = pool.analyze(input).then((o) => {
    settle(dir, o);
    inFlight.delete(p);
  });
  inFlight.add(p);
  // Keep every worker fed, and no more: the budget is checked only when a worker is free.
  while (inFlight.size >= threads) await Promise.race(inFlight);
}
await Promise.all(inFlight);
await pool?.close();
const secs = (Date.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
// CPU seconds of every thread of this process (GC helpers included): on a machine shared with
// other work, lines per CPU second shows what the analysis costs apart from waiting for a core.
const cpuSecs = (cpu.user + cpu.system) / 1e6;
console.log(
  JSON.stringify(
    {
      root,
      threads: pool ? threads : 1,
      packages: pkgs,
      files,
      lines,
      seconds: secs,
      linesPerSecond: Math.round(lines / secs),
      linesPerThreadSecond: Math.round(lines / (busyMs / 1000)),
      cpuSeconds: Math.round(cpuSecs * 10) / 10,
      linesPerCpuSecond: Math.round(lines / cpuSecs),
      parseErrors,
      failures: failures.length,
      slowest,
    },
    null,
    1,
  ),
);
for (const f of failures.slice(0, 30)) console.log('FAIL', f.dir, f.error);
process.exitCode = failures.length ? 1 : 0;
