// `gomem escape`: the command-line face of the analyser. Arguments are .go files or
// directories (a directory is one package, as `go build` sees it: no _test.go files, build
// constraints for linux/amd64). With -m it prints what `go tool compile -m -l` prints;
// otherwise a report for people, or JSON with --json. The only module here that uses node:fs.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Subcommand } from '../cli/main.js';
import { analyzeEscape, formatMessages, humanReport, jsonReport, type EscapeResult, type GoFile } from './index.js';
import { EscapeInputError } from './errors.js';
import { defaultThreads, EscapePool, type PoolOptions } from './pool.js';

const help = `usage: gomem escape [-m] [-m=2] [-l] [-j N] [--json] <file.go | dir>...

Escape analysis of Go source, as Go 1.19's compiler does it.

  -m, -m=N   print the compiler's diagnostics (file:line:col: message), like
             'go tool compile -m -l'
  -l         accepted for compatibility (inlining is never modelled)
  -C         omit columns in -m output
  -smallframes  Go's smaller stack limits (128 KiB variables, 16 KiB implicit)
  --json     machine-readable report: allocations with reasons and flows
  -j N, --jobs N  analyse up to N packages at once on worker threads
             (default: one per core; output stays in argument order)
  -h, --help this help

Without -m: a report per function listing each heap allocation, its reason
(returned pointer, interface conversion, closure capture, dynamic size or growth,
too large for the stack, stored into something that escapes, passed to a function
that keeps it) and the chain of assignments behind it, then a count per reason.
Several files given together form one package; each directory is its own package.`;

export function goBuildFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('.') && !f.startsWith('_'))
    .filter((f) => fileNameOK(f))
    .map((f) => join(dir, f))
    .filter((p) => statSync(p).isFile() && buildConstraintOK(readFileSync(p, 'utf8')));
}

const knownOS = [
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'hurd',
  'illumos',
  'ios',
  'js',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'windows',
  'zos',
  'wasip1',
];
const knownArch = [
  '386',
  'arm',
  'arm64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'wasm',
  'loong64',
  'sparc64',
];

function fileNameOK(f: string): boolean {
  const parts = f.replace(/\.go$/, '').split('_');
  for (const p of parts.slice(1)) {
    if (knownOS.includes(p) || knownArch.includes(p)) return false;
  }
  return true;
}

export function buildConstraintOK(src: string): boolean {
  for (const line of src.split('\n', 60)) {
    const t = line.trim();
    if (t.startsWith('package ')) break;
    const m = /^\/\/go:build\s+(.*)$/.exec(t);
    if (m) return evalConstraint(m[1]!);
  }
  return true;
}

function evalConstraint(expr: string): boolean {
  const tokens = expr.match(/\(|\)|!|&&|\|\||[\w.]+/g) ?? [];
  let i = 0;
  const tag = (t: string) =>
    ['linux', 'amd64', 'gc', 'unix', 'cgo'].includes(t) || (/^go1\.(1?\d)$/.test(t) && Number(t.slice(4)) <= 19);
  const primary = (): boolean => {
    const t = tokens[i++];
    if (t === '!') return !primary();
    if (t === '(') {
      const v = or();
      i++;
      return v;
    }
    return tag(t ?? '');
  };
  const and = (): boolean => {
    let v = primary();
    while (tokens[i] === '&&') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (tokens[i] === '||') {
      i++;
      v = and() || v;
    }
    return v;
  };
  return or();
}

/** Resolves once the text is handed to the OS: the caller may exit right after, and a pipe would lose the tail. */
function write(textOut: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(textOut, (err) => (err ? reject(err) : resolve())));
}

export const escapeCommand: Subcommand = {
  summary: 'escape analysis of Go source, reported like `go build -gcflags=-m`',
  async run(args: string[]): Promise<number> {
    let mLevel = 0;
    let json = false;
    let columns = true;
    let smallFrames = false;
    let jobs = defaultThreads();
    const inputs: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const jobsArg =
        a === '-j' || a === '--jobs'
          ? args[++i]
          : /^(-j|--jobs=)\d+$/.test(a)
            ? a.replace(/^(-j|--jobs=)/, '')
            : undefined;
      if (jobsArg !== undefined || a === '-j' || a === '--jobs') {
        if (!/^\d+$/.test(jobsArg ?? '') || Number(jobsArg) < 1) {
          process.stderr.write(`gomem escape: ${a} needs a positive number of jobs\n`);
          return 2;
        }
        jobs = Number(jobsArg);
        continue;
      }
      if (a === '-h' || a === '--help') {
        process.stdout.write(help + '\n');
        return 0;
      }
      if (a === '-m') mLevel++;
      else if (/^-m=\d+$/.test(a)) mLevel = Number(a.slice(3));
      else if (a === '--json') json = true;
      else if (a === '-C') columns = false;
      else if (a === '-smallframes') smallFrames = true;
      else if (['-live', '-std', '-complete'].includes(a)) continue;
      else if (['-l', '-N', '-0', '-e'].includes(a) || /^-(p|d|o|lang)=/.test(a)) continue;
      else if (a.startsWith('-')) {
        process.stderr.write(`gomem escape: unknown flag ${a}\n\n${help}\n`);
        return 2;
      } else inputs.push(a);
    }
    if (inputs.length === 0) {
      process.stderr.write(help + '\n');
      return 2;
    }
    const packages: GoFile[][] = [];
    const loose: GoFile[] = [];
    try {
      for (const p of inputs) {
        let st;
        try {
          st = statSync(p);
        } catch {
          throw new EscapeInputError(`${p}: no such file or directory`);
        }
        if (st.isDirectory()) {
          const files = goBuildFiles(p);
          if (files.length === 0) throw new EscapeInputError(`${p}: no buildable Go source files`);
          packages.push(files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') })));
        } else
          loose.push({
            name: inputs.length === 1 && !p.includes('/') ? p : p.startsWith('./') ? p : p,
            text: readFileSync(p, 'utf8'),
          });
      }
      if (loose.length) packages.unshift(loose);
      const jsonOut: object[] = [];
      const options: PoolOptions = { smallFrames, explain: mLevel >= 2 };
      // Output in argument order whatever order the packages finish in; the first package that
      // fails stops the command after everything before it has been printed, as in one thread.
      for await (const r of inOrder(packages, options, Math.min(jobs, packages.length))) {
        if (mLevel > 0) {
          const out = formatMessages(mLevel >= 2 && r.explained ? r.explained : r.messages, { columns });
          if (out) await write(out + '\n');
        } else if (json) jsonOut.push(jsonReport(r.messages, r.packageName));
        else await write(humanReport(r.messages, r.packageName) + '\n');
      }
      if (json && mLevel === 0)
        await write(JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2) + '\n');
      return 0;
    } catch (e) {
      const err = e as Error;
      if (err.name === 'GoParseError' || err.name === 'EscapeInputError' || err.name === 'GrammarLoadError') {
        process.stderr.write(`gomem escape: ${err.message}\n`);
        return 1;
      }
      throw e;
    }
  },
};

/** Each package's result in order: in this thread for one package or one job, else on a pool. */
async function* inOrder(packages: GoFile[][], options: PoolOptions, threads: number): AsyncGenerator<EscapeResult> {
  const progress = (files: GoFile[]) => {
    if (packages.length > 3) process.stderr.write(`# ${files[0] ? basename(files[0].name) : ''}\n`);
  };
  if (threads <= 1) {
    for (const files of packages) {
      progress(files);
      yield await analyzeEscape(files, options);
    }
    return;
  }
  const pool = new EscapePool(threads);
  try {
    const outcomes = packages.map((files) => pool.analyze(files, options));
    for (let i = 0; i < packages.length; i++) {
      progress(packages[i]!);
      const o = await outcomes[i]!;
      if (!o.ok) throw o.error;
      yield o.result;
    }
  } finally {
    await pool.close();
  }
}
