// binary-trees (the Computer Language Benchmarks Game program) on our collected heap, against the same
// program on plain V8 objects. Prints time ratio, GC pauses (longest, percentiles), and peak HeapSys
// against the live heap at GOGC=100.  Run: npm run build && node test/gc/binary-trees.mjs [16 18] [--json]
// [--dist DIR] (another build of gomem, to compare two versions) [--mark-worker] (a shared heap with a
// background mark worker; its start-up counts in the time) [--repeat N] (each depth N times;
// the line per run, then medians). Besides wall time it prints CPU time (process.cpuUsage), which
// moves less than wall time on a machine shared with other work.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const json = args.includes('--json');
const distAt = args.indexOf('--dist');
const dist =
  distAt >= 0
    ? pathToFileURL(resolve(args[distAt + 1], 'index.js')).href
    : new URL('../../dist/index.js', import.meta.url).href;
const repeatAt = args.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1;
const markWorker = args.includes('--mark-worker');
const { Heap, markWorkerEntry } = await import(dist);
const { Worker } = await import('node:worker_threads');
const optionValues = new Set([distAt, repeatAt].filter((k) => k >= 0).map((k) => k + 1));
const depths = args.filter((a, k) => /^\d+$/.test(a) && !optionValues.has(k)).map(Number);
if (depths.length === 0) depths.push(16, 18);

function v8(maxDepth) {
  const make = (d) => (d === 0 ? { l: null, r: null } : { l: make(d - 1), r: make(d - 1) });
  const check = (t) => (t.l === null ? 1 : 1 + check(t.l) + check(t.r));
  let out = check(make(maxDepth + 1));
  const long = make(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    let sum = 0;
    for (let i = 0; i < iters; i++) sum += check(make(d));
    out += sum;
  }
  return out + check(long);
}

async function ours(maxDepth) {
  const heap = new Heap({ maxBytes: 2 ** 31, shared: markWorker });
  let mw = null;
  if (markWorker) {
    mw = heap.startMarkWorker((handle) => new Worker(markWorkerEntry.node, { workerData: handle }));
    await mw.started();
  }
  const Node = heap.defineType({ name: 'Node', size: 8, pointers: [0, 4] });
  const make = (d) => {
    const n = heap.new(Node);
    if (d > 0) {
      heap.storePointer(n, 0, make(d - 1));
      heap.storePointer(n, 4, make(d - 1));
    }
    return n;
  };
  const check = (t) => {
    const l = heap.loadPointer(t, 0);
    return l === 0 ? 1 : 1 + check(l) + check(heap.loadPointer(t, 4));
  };
  let peakSys = 0;
  // HeapSys only grows while the heap maps more memory, which happens in allocation between cycles:
  // sampling it at every cycle's end (and at the end) sees the peak without a MemStats object per few
  // hundred trees (JS garbage whose V8 collections could land in our pauses).
  heap.setGCTrace((line) => {
    if (process.env.GCTRACE) console.error(line);
    sample();
  });
  const sample = () => {
    const st = heap.readMemStats();
    if (st.HeapSys > peakSys) peakSys = st.HeapSys;
  };
  let out = heap.scope(() => {
    check(make(maxDepth + 1));
    return 0;
  });
  const long = heap.root(heap.scope(() => make(maxDepth)));
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    let sum = 0;
    for (let i = 0; i < iters; i++) {
      sum +=
        heap.scope(() => {
          check(make(d));
          return 0;
        }) + 0;
    }
    out += sum;
  }
  out += check(long.get());
  sample();
  const st = heap.readMemStats();
  const n = Math.min(st.NumGC, 256);
  const pauses = [];
  for (let k = 0; k < n; k++) pauses.push(st.PauseNs[(st.NumGC - 1 - k) % 256] / 1e6);
  pauses.sort((a, b) => a - b);
  const pct = (q) => (pauses.length ? pauses[Math.min(pauses.length - 1, Math.floor(q * pauses.length))] : 0);
  // Live heap: the long-lived tree, (2^(d+1) − 1) 8-byte nodes.
  const live = (2 ** (maxDepth + 1) - 1) * 8;
  let workerMarkMs;
  if (mw !== null) {
    workerMarkMs = Math.round(mw.stats().markMs);
    await mw.stop();
  }
  return {
    checksum: out,
    workerMarkMs,
    numGC: st.NumGC,
    maxPauseMs: pauses.at(-1) ?? 0,
    p50: pct(0.5),
    p90: pct(0.9),
    p99: pct(0.99),
    peakHeapSys: peakSys,
    live,
    goal: st.NextGC,
  };
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const line = (r, label = '') =>
  `binary-trees depth ${r.depth}${label}: gomem ${r.ourMs} ms, V8 objects ${r.v8ms} ms, ratio ${r.ratio}x (CPU ${r.ourCpuMs} / ${r.v8CpuMs} ms, ${r.cpuRatio}x); ` +
  `${r.numGC} GCs, pause max ${r.maxPauseMs.toFixed(3)} ms, p50 ${r.p50.toFixed(3)} p90 ${r.p90.toFixed(3)} p99 ${r.p99.toFixed(3)} ms; ` +
  `peak HeapSys ${(r.peakHeapSys / 2 ** 20).toFixed(1)} MiB, live ${(r.live / 2 ** 20).toFixed(1)} MiB, NextGC ${(r.goal / 2 ** 20).toFixed(1)} MiB` +
  (r.workerMarkMs !== undefined ? `; mark worker ${r.workerMarkMs} ms marking` : '');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** One run of one depth in this process: both sides, V8 first. */
async function runOnce(depth) {
  let t = performance.now();
  let c = cpuMs();
  v8(depth);
  const v8ms = performance.now() - t;
  const v8cpu = cpuMs() - c;
  t = performance.now();
  c = cpuMs();
  const r = await ours(depth);
  const ourMs = performance.now() - t;
  const ourCpu = cpuMs() - c;
  return {
    depth,
    v8ms: Math.round(v8ms),
    ourMs: Math.round(ourMs),
    ratio: +(ourMs / v8ms).toFixed(2),
    v8CpuMs: Math.round(v8cpu),
    ourCpuMs: Math.round(ourCpu),
    cpuRatio: +(ourCpu / v8cpu).toFixed(2),
    ...r,
  };
}

// With --repeat, every run is a fresh process (this script with --json and without --repeat): in one
// process the later V8 runs inherit an old generation full of the earlier runs' garbage and slow down.
const { execFileSync } = await import('node:child_process');
const script = new URL(import.meta.url).pathname;
const childArgs = args.filter(
  (a, k) =>
    !(repeatAt >= 0 && (k === repeatAt || k === repeatAt + 1)) &&
    a !== '--json' &&
    !(/^\d+$/.test(a) && !optionValues.has(k)),
);

const results = [];
for (const depth of depths) {
  const runs = [];
  for (let k = 0; k < repeat; k++) {
    const run =
      repeat > 1
        ? JSON.parse(
            execFileSync(process.execPath, [script, String(depth), ...childArgs, '--json'], {
              encoding: 'utf8',
              maxBuffer: 1 << 24,
            }),
          )[0]
        : await runOnce(depth);
    runs.push(run);
    if (!json && repeat > 1) console.log(line(run, ` run ${k + 1}`));
  }
  // Medians of each number across runs (the pause maximum: the median run's, not the worst of all).
  const med = {};
  for (const key of Object.keys(runs[0])) med[key] = median(runs.map((x) => x[key]));
  med.ratio = +(med.ourMs / med.v8ms).toFixed(2);
  med.runs = runs.length;
  results.push(med);
}
if (json) console.log(JSON.stringify(results, null, 2));
else for (const r of results) console.log(line(r, repeat > 1 ? ` median of ${r.runs}` : ''));
