#!/usr/bin/env node
// Robustness sweep: runs the analyser over every package directory under a Go source tree
// (default: $(go env GOROOT)/src) in-process, as `go build` would group files, and reports
// packages that threw anything other than a clean GoParseError, plus per-package time.
// Usage: node test/escape/robustness.mjs [ROOT] [--limit N] [--budget-ms MS]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeEscape } from '../../dist/escape/index.js';
import { goBuildFiles } from '../../dist/escape/cli.js';

const args = process.argv.slice(2);
let root = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const limitIdx = args.indexOf('--limit');
const limit = limitIdx >= 0 ? Number(args[limitIdx + 1]) : Infinity;
const budgetIdx = args.indexOf('--budget-ms');
const budget = budgetIdx >= 0 ? Number(args[budgetIdx + 1]) : Infinity;
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

const t0 = Date.now();
let pkgs = 0, files = 0, lines = 0, parseErrors = 0, slowest = { ms: 0, dir: '' };
const failures = [];
for (const dir of dirs) {
  if (pkgs >= limit || Date.now() - t0 > budget) break;
  let names;
  try {
    names = goBuildFiles(dir);
  } catch {
    continue;
  }
  if (names.length === 0) continue;
  const input = names.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
  pkgs++;
  files += input.length;
  for (const f of input) lines += f.text.split('\n').length;
  const s = Date.now();
  try {
    await analyzeEscape(input);
  } catch (e) {
    if (e && e.name === 'GoParseError' && /:\d+:\d+: syntax error/.test(e.message)) parseErrors++;
    else failures.push({ dir, error: String(e && e.stack ? e.stack.split('\n').slice(0, 4).join(' | ') : e) });
  }
  const ms = Date.now() - s;
  if (ms > slowest.ms) slowest = { ms, dir };
}
const secs = (Date.now() - t0) / 1000;
console.log(JSON.stringify({ root, packages: pkgs, files, lines, seconds: secs, linesPerSecond: Math.round(lines / secs), parseErrors, failures: failures.length, slowest }, null, 1));
for (const f of failures.slice(0, 30)) console.log('FAIL', f.dir, f.error);
process.exitCode = failures.length ? 1 : 0;
