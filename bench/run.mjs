// `npm run bench`: gomem's Heap against AssemblyScript's TLSF, @thi.ng/malloc, a bump allocator and
// V8's own `new Uint8Array(n)`, on issue 2's five workloads (and issue 3's shared heap when present).
//
// Protocol, the same for every allocator: one process, one pre-generated random sequence per
// workload (seeded), a fresh allocator instance per trial, untimed fill and warm-up, trials
// interleaved across allocators (so drifts in machine load hit everybody alike), a forced GC between
// runs, and the median of the trials reported. Allocators whose free is O(live blocks) (thi.ng) run
// on a time budget and report ns/op over the steps they managed.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { loadAllocators } from './allocators.mjs';
import { footprintTable, median, table, verdict, verdictLines } from './report.mjs';
import { MIX_MEAN_BYTES, churnSequence, ringSequence } from './sequences.mjs';
import { benchSharedHeap } from './shared-heap.mjs';
import { runChurn, runPairs, runRing } from './workloads.mjs';

const HELP = `usage: npm run bench -- [options]      (or: node bench/run.mjs [options] after npm run build)

  --quick            short run: 3 trials, fewer steps, churn scaling up to 100k live blocks
  --json             print one JSON document on stdout (progress still goes to stderr)
  --json-out FILE    print the table and also write the JSON document to FILE
  --trials N         trials per measurement (median reported); default 5, quick 3
  --only a,b         allocators to run (gomem always runs): gomem-np, tlsf, thing, bump, v8
  --workloads a,b    workloads to run: pairs, ring, churn, shared, escape, gc (default: all; footprint comes with churn)
  --skip-1m          leave out the 1M-live-block churn (needs ~6 GB and a few minutes)
  --wait-idle[=S]    wait up to S seconds (default 300) for the 1-minute load average to drop below 1
                     (this 2-core machine then has a core free for the single-thread runs)
  --ours PATH        benchmark this build of gomem instead of dist/ (a directory with index.js, for A/B runs)
  --seed N           PRNG seed of the workloads; default 20240601
  --help             this text
`;

function parseArgs(argv) {
  const o = {
    quick: false,
    json: false,
    jsonOut: null,
    trials: 0,
    only: null,
    skip1m: false,
    waitIdle: 0,
    seed: 20240601,
    ours: null,
    workloads: ['pairs', 'ring', 'churn', 'shared', 'escape', 'gc'],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.split('=', 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--skip-1m') o.skip1m = true;
    else if (flag === '--trials') o.trials = positiveInt(value(), '--trials');
    else if (flag === '--seed') o.seed = positiveInt(value(), '--seed');
    else if (flag === '--workloads') o.workloads = value().split(',').filter(Boolean);
    else if (flag === '--json-out') o.jsonOut = value();
    else if (flag === '--ours') o.ours = value();
    else if (flag === '--only') o.only = value().split(',').filter(Boolean);
    else if (flag === '--wait-idle') o.waitIdle = inline !== undefined ? positiveInt(inline, '--wait-idle') : 300;
    else throw new UsageError(`unknown option ${a}`);
  }
  return o;
}

class UsageError extends Error {
  name = 'UsageError';
}

function positiveInt(s, name) {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} needs a positive integer, got ${s}`);
  return n;
}

/** The sizes of every run, full or quick. */
function plan(o) {
  const quick = o.quick;
  return {
    trials: o.trials || (quick ? 3 : 5),
    budgetMs: quick ? 400 : 1500,
    // Warm-up long enough for V8 to finish optimising each freshly compiled loop (50k was not: quick
    // numbers for gomem ran up to 2× the full run's).
    pairs: { sizes: [16, 64, 256, 4096], warm: 200_000, iters: quick ? 500_000 : 2_000_000 },
    ring: { live: 1024, warm: 200_000, iters: quick ? 500_000 : 2_000_000 },
    churn: {
      main: 100_000,
      sizes: quick || o.skip1m ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000],
      warm: 200_000,
      timed: quick ? 200_000 : 1_000_000,
    },
  };
}

function gcFunction() {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc');
}

async function waitIdle(seconds, log) {
  const until = Date.now() + seconds * 1000;
  while (os.loadavg()[0] >= 1 && Date.now() < until) {
    log(`  waiting for load to drop (1-min load ${os.loadavg()[0].toFixed(2)})`);
    await new Promise((r) => setTimeout(r, 10_000));
  }
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n\n${HELP}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const out = (s) => {
    if (!o.json) process.stdout.write(`${s}\n`);
  };
  const log = (s) => process.stderr.write(`${s}\n`);
  const p = plan(o);
  const gc = gcFunction();
  if (o.waitIdle) await waitIdle(o.waitIdle, log);

  const oursModule = o.ours
    ? pathToFileURL(resolve(o.ours, 'index.js')).href
    : new URL('../dist/index.js', import.meta.url).href;
  const all = await loadAllocators(oursModule);
  const adapters = all.filter((a) => !a.unavailable && (a.name === 'gomem' || !o.only || o.only.includes(a.name)));
  const names = adapters.map((a) => a.name);
  const loadStart = os.loadavg();
  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    loadavgStart: loadStart.map((x) => +x.toFixed(2)),
  };
  machine.commit = gitDescribe();
  out(`gomem allocator benchmark — node ${machine.node}, ${machine.cores}× ${machine.cpu}, gomem ${machine.commit}`);
  out(
    `load average at start: ${machine.loadavgStart.join(' ')}${loadStart[0] >= 1 ? '  (busy machine: numbers are noisier)' : ''}`,
  );
  if (o.ours) out(`ours from: ${oursModule}`);
  out(
    `mode: ${o.quick ? 'quick' : 'full'}, ${p.trials} trials each (median), seed ${o.seed}, thi.ng budget ${p.budgetMs} ms/trial`,
  );
  for (const a of all) {
    out(
      `  ${a.name.padEnd(8)} ${a.label}${a.unavailable ? `  — UNAVAILABLE: ${a.unavailable}` : a.detail ? `  (${a.detail})` : ''}`,
    );
  }
  out('');

  const results = [];
  /** Runs fn(adapter) trials×adapters, interleaved; returns { [name]: { ns, runs, last } }. */
  const measure = (label, fn) => {
    log(`${label} …`);
    const runs = Object.fromEntries(adapters.map((a) => [a.name, []]));
    const errors = {};
    for (let t = 0; t < p.trials; t++) {
      for (const a of adapters) {
        if (errors[a.name]) continue;
        gc();
        try {
          runs[a.name].push(fn(a));
        } catch (err) {
          errors[a.name] = err instanceof Error ? err.message : String(err);
          log(`  ${a.name}: ${errors[a.name]}`);
        }
        gc();
      }
    }
    const cells = {};
    for (const a of adapters) {
      const r = runs[a.name];
      if (errors[a.name]) cells[a.name] = { error: errors[a.name] };
      else {
        const steps = Math.min(...r.map((x) => x.steps));
        cells[a.name] = {
          ns: median(r.map((x) => x.nsPerOp)),
          trials: r.map((x) => +x.nsPerOp.toFixed(2)),
          steps,
          last: r[r.length - 1],
          note: a.slow ? `[${steps} steps]` : '',
        };
      }
      results.push({ workload: label, allocator: a.name, ...summarise(cells[a.name]) });
    }
    return cells;
  };

  const want = (w) => o.workloads.includes(w);
  // The O(n)-per-step allocator runs on its budget; the others get a generous cap (a safety net for a
  // pathological case, never reached in a normal run), so their warm-up and timed steps run in full.
  const budgetFor = (a) => (a.slow ? p.budgetMs : 60_000);
  // (1) alloc+free pairs.
  const pairRows = !want('pairs')
    ? []
    : p.pairs.sizes.map((size) => ({
        title: `(1) pair ${size} B`,
        cells: measure(`(1) pair ${size} B`, (a) => runPairs(a, size, { ...p.pairs, budgetMs: budgetFor(a) })),
      }));
  // (2) ring of 1024.
  const ringSeq = ringSequence(o.seed, p.ring.live);
  const ringRows = !want('ring')
    ? []
    : [
        {
          title: `(2) ring ${p.ring.live}, 8–256 B`,
          cells: measure('(2) ring 1024', (a) => runRing(a, ringSeq, { ...p.ring, budgetMs: budgetFor(a) })),
        },
      ];
  if (pairRows.length + ringRows.length > 0) {
    out(table('(1) alloc+free pairs, (2) FIFO ring — ns per alloc+free', [...pairRows, ...ringRows], names));
    out('');
  }

  // (3)/(4) churn at every size; (3) is the 100k row, (5) its footprint.
  const churnRows = [];
  let mainChurn = null;
  for (const live of want('churn') ? p.churn.sizes : []) {
    // Warm-up runs until every block has been replaced about twice: a fresh heap first has to grow to
    // its steady size, and that phase (seconds of slow paths for some allocators) is not the churn.
    const warm = Math.max(p.churn.warm, 2 * live);
    const seq = churnSequence(o.seed + live, live, warm + p.churn.timed);
    const label = `(${live === p.churn.main ? '3' : '4'}) churn ${fmtCount(live)} live`;
    const cells = measure(label, (a) =>
      runChurn(a, seq, { warm, budgetMs: budgetFor(a), expectBytes: live * MIX_MEAN_BYTES }),
    );
    churnRows.push({ title: label, cells, live });
    if (live === p.churn.main) mainChurn = cells;
  }
  const fpRows = [];
  if (churnRows.length > 0) {
    out(
      table(
        '(3)/(4) churn: free a random live block, allocate a new one (95% 8–256 B, 4.9% –32 KiB, 0.1% 64 KiB–1 MiB) — ns per step',
        churnRows,
        names,
      ),
    );
    out('');
  }
  if (mainChurn) {
    // (5) footprint at the end of (3).
    for (const a of adapters) {
      const c = mainChurn[a.name];
      const last = c?.last;
      fpRows.push({
        name: a.name,
        footprint: last?.footprint ?? null,
        liveBytes: last?.liveBytes ?? NaN,
        why: c?.error
          ? `n/a: ${c.error}`
          : a.name === 'bump'
            ? 'never reuses memory'
            : 'managed by V8 (not measurable per allocation)',
      });
    }
    out(
      `(5) footprint at the end of the ${fmtCount(p.churn.main)}-block churn (peak bytes held / live bytes requested)`,
    );
    out(footprintTable(fpRows));
    for (const r of fpRows)
      if (r.footprint)
        results.push({ workload: '(5) footprint', allocator: r.name, ...r.footprint, liveBytes: r.liveBytes });
    out('');
  }

  // Issue 3.
  log('shared heap …');
  const shared = !want('shared')
    ? { unavailable: 'shared heap: not run (--workloads)' }
    : await benchSharedHeap({ oursModule, seed: o.seed, quick: o.quick, trials: p.trials, log });
  if (shared.unavailable) out(shared.unavailable);
  else out(shared.text);
  out('');

  // Issue 6: escape analysis speed over Go's standard library, in a child process (it needs `go`).
  let escape = null;
  if (want('escape')) {
    log('escape analysis over $(go env GOROOT)/src …');
    try {
      const budget = o.quick ? 20_000 : 60_000;
      const script = new URL('../test/escape/robustness.mjs', import.meta.url).pathname;
      const text = execFileSync(process.execPath, [script, '--budget-ms', String(budget)], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      escape = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1));
      const threads = escape.threads ?? 1;
      const perThread = escape.linesPerThreadSecond
        ? `; one thread: ${escape.linesPerThreadSecond} lines/s of its busy time`
        : '';
      out(
        `escape analysis (issue 6): ${escape.lines} lines in ${escape.packages} packages of ${escape.root} in ${escape.seconds.toFixed(1)} s on ${threads} thread${threads === 1 ? '' : 's'} = ${escape.linesPerSecond} lines/s (${escape.failures} failures${perThread})`,
      );
    } catch (err) {
      out(`escape analysis (issue 6): not measured: ${String(err && err.message ? err.message.split('\n')[0] : err)}`);
    }
    out('');
  }

  // Issue 4: the collector on binary-trees against the same program on V8 objects (median of three
  // fresh processes at depth 18; quick: one run at depth 16).
  let trees = null;
  if (want('gc')) {
    log('binary-trees on the collector …');
    try {
      const script = new URL('../test/gc/binary-trees.mjs', import.meta.url).pathname;
      const gcArgs = [script, String(o.quick ? 16 : 18), '--json', '--repeat', String(o.quick ? 1 : 3)];
      if (o.ours) gcArgs.push('--dist', o.ours);
      trees = JSON.parse(execFileSync(process.execPath, gcArgs, { encoding: 'utf8', maxBuffer: 16 << 20 }))[0];
      const mib = (b) => (b / 2 ** 20).toFixed(1);
      out(
        `binary-trees depth ${trees.depth} (issue 4, median of ${trees.runs}): gomem ${trees.ourMs} ms, V8 objects ${trees.v8ms} ms = ${trees.ratio}x (CPU ${trees.cpuRatio}x); ` +
          `${trees.numGC} GCs, pause max ${trees.maxPauseMs.toFixed(2)} ms, p50/p90/p99 ${trees.p50.toFixed(2)}/${trees.p90.toFixed(2)}/${trees.p99.toFixed(2)} ms; ` +
          `peak HeapSys ${mib(trees.peakHeapSys)} MiB, live ${mib(trees.live)} MiB, NextGC ${mib(trees.goal)} MiB`,
      );
    } catch (err) {
      out(`binary-trees (issue 4): not measured: ${String(err && err.message ? err.message.split('\n')[0] : err)}`);
    }
    out('');
  }

  // Targets (issue 2), for gomem as users get it and for the allocator alone (no heap profiling).
  const v = [];
  if (trees && trees.depth === 18) {
    // Issue 4's targets are for depth 18 (a quick run's depth 16 is only printed).
    v.push(verdict('i4', `binary-trees ${trees.depth}: gomem / V8 time`, trees.ratio, '<=', 5));
    v.push(verdict('i4', `binary-trees ${trees.depth}: longest pause (ms)`, trees.maxPauseMs, '<=', 5));
  }
  if (escape) v.push(verdict('i6', 'escape analysis lines/s', escape.linesPerSecond, '>=', 50_000));
  const ns = (cells, n) => cells[n]?.ns ?? NaN;
  for (const [us, tag] of [
    ['gomem', 'ours'],
    ['gomem-np', 'ours-np'],
  ]) {
    if (!names.includes(us)) continue;
    for (const row of pairRows)
      v.push(
        verdict('(1)', `${row.title.slice(4)}: ${tag} / bump`, ns(row.cells, us) / ns(row.cells, 'bump'), '<=', 4),
      );
    for (const row of ringRows)
      v.push(verdict('(2)', `ring: ${tag} / bump`, ns(row.cells, us) / ns(row.cells, 'bump'), '<=', 4));
    if (mainChurn) {
      v.push(verdict('(3)', `churn 100k: ${tag} ns/step`, ns(mainChurn, us), '<=', 150));
      v.push(verdict('(3)', `churn 100k: TLSF / ${tag}`, ns(mainChurn, 'tlsf') / ns(mainChurn, us), '>=', 3));
    }
    for (const row of churnRows) {
      if (row.live === p.churn.main) continue;
      v.push(
        verdict(
          '(4)',
          `churn ${fmtCount(row.live)}: TLSF / ${tag}`,
          ns(row.cells, 'tlsf') / ns(row.cells, us),
          '>=',
          3,
        ),
      );
    }
    const fp = fpRows.find((r) => r.name === us)?.footprint;
    if (fp) v.push(verdict('(5)', `footprint / live (Sys), ${tag}`, fp.ratio, '<=', 1.3));
  }
  if (shared.verdicts) v.push(...shared.verdicts);
  out(
    'targets (issues 2' +
      (shared.verdicts ? ', 3' : '') +
      (trees && trees.depth === 18 ? ', 4' : '') +
      (escape ? ', 6' : '') +
      '):',
  );
  for (const line of verdictLines(v)) out(line);

  machine.loadavgEnd = os.loadavg().map((x) => +x.toFixed(2));
  out('');
  out(`load average at end: ${machine.loadavgEnd.join(' ')}`);
  const doc = {
    machine,
    options: o,
    plan: p,
    allocators: all.map(({ name, label, unavailable }) => ({ name, label, unavailable })),
    results,
    shared,
    binaryTrees: trees,
    escape,
    targets: v,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  if (o.jsonOut) writeFileSync(o.jsonOut, `${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}

function summarise(cell) {
  if (cell.error) return { error: cell.error };
  const { ns, trials, steps } = cell;
  return { nsPerOp: +ns.toFixed(2), trials, steps };
}

/** The commit the build came from, and whether src/ had uncommitted changes (others work in this tree). */
function gitDescribe() {
  try {
    const opts = { cwd: new URL('..', import.meta.url), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], opts).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], opts).trim() !== '';
    return `${head}${dirty ? ' + uncommitted src/ changes' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

function fmtCount(n) {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
