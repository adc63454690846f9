// ── Issue 3: the shared-heap benchmark ────────────────────────────────────────────────────────────
//
// Churn throughput with 1 thread and with 2 threads on one shared heap (each thread a P with its own
// mcache), and the same threads on one global lock around the single-thread allocator, the naive
// alternative. Targets (issue 3): 2 threads ≥ 1.6× the 1-thread throughput; a shared heap with 1
// thread within 1.3× of the non-shared heap's ns/op.
//
// Every thread is a Worker (shared-worker.mjs) running the churn of issue 2 over its own live set
// and its own seeded sequence (two workers on two separate heaps show what the machine itself allows
// two threads). The shared heap runs in a SharedArrayBuffer and in a shared WebAssembly.Memory, where
// a free's atomic steps are one wasm call. The main thread only creates the heap and opens the start
// gate once every worker has filled and warmed up. Throughput = all timed steps / (last end − first start).
// When this build has no Heap.attach, the benchmark says so and the run goes on.
//
// Everything runs twice, as issue 2's table does: the allocator alone (memProfileRate 0) and with
// gomem's default heap profiling, whose stack captures (V8's, ~30 µs each, one per ~350 churn steps)
// cost more than the allocator itself here and do not scale across threads in one process.

import { Worker } from 'node:worker_threads';
import { median, verdict } from './report.mjs';
import { MIX_MEAN_BYTES } from './sequences.mjs';

const WORKER = new URL('./shared-worker.mjs', import.meta.url);

/** Whether this build of gomem has the multi-thread API the benchmark needs. */
export function sharedHeapAvailable(Heap) {
  return typeof Heap.attach === 'function' && typeof Heap.prototype.handle === 'function';
}

function heapMaxBytes(live, threads) {
  const want = live * threads * MIX_MEAN_BYTES * 3 + (64 << 20);
  return Math.min(2 ** 32, Math.ceil(want / (4 << 20)) * (4 << 20));
}

/** One trial of one configuration: `threads` workers in `mode`; returns ns/op per thread and Mops/s. */
export async function trial(Heap, oursModule, mode, threads, plan, seed, memProfileRate) {
  const maxBytes = heapMaxBytes(plan.live, threads);
  const gateBuffer = new SharedArrayBuffer(8);
  const gate = new Int32Array(gateBuffer);
  const common = {
    mode,
    oursModule,
    maxBytes,
    gateBuffer,
    live: plan.live,
    warm: plan.warm,
    steps: plan.steps,
    memProfileRate,
  };
  let heap = null;
  if (mode === 'shared') {
    heap = new Heap({ shared: true, maxBytes });
    common.handle = heap.handle();
  } else if (mode === 'shared-wasm') {
    // The same shared heap in a shared WebAssembly.Memory: a free's atomic steps are one wasm call.
    const memory = new WebAssembly.Memory({ initial: 64, maximum: maxBytes / 65536, shared: true });
    heap = new Heap({ memory, maxBytes });
    common.handle = heap.handle();
    common.mode = 'shared';
  } else if (mode === 'locked') {
    heap = new Heap({ maxBytes });
    if (!(heap.buffer instanceof SharedArrayBuffer))
      throw new Error('the non-shared heap is not in a SharedArrayBuffer');
    common.buffer = heap.buffer;
    common.lockBuffer = new SharedArrayBuffer(4);
  }
  const workers = [];
  const results = [];
  for (let t = 0; t < threads; t++) {
    const w = new Worker(WORKER, { workerData: { ...common, seed: seed + 7919 * t } });
    workers.push(w);
    results.push(
      new Promise((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`worker exited with ${code} before reporting`)));
      }),
    );
  }
  try {
    // Open the gate once every worker is ready (or one of them failed).
    let gaveUp = false;
    const failed = Promise.race(results.map((r) => r.then(() => new Promise(() => {}))));
    const ready = (async () => {
      while (!gaveUp && Atomics.load(gate, 0) < threads) await new Promise((r) => setTimeout(r, 5));
    })();
    try {
      await Promise.race([ready, failed]);
    } finally {
      gaveUp = true; // a worker failed before the gate: stop polling, or the process never exits
    }
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    const done = await Promise.all(results);
    const start = Math.min(...done.map((d) => d.start));
    const end = Math.max(...done.map((d) => d.end));
    const totalSteps = done.reduce((a, d) => a + d.steps, 0);
    const perThreadNs = median(done.map((d) => ((d.end - d.start) * 1e6) / d.steps));
    return { nsPerOp: perThreadNs, mops: totalSteps / ((end - start) * 1e3) };
  } finally {
    for (const w of workers) await exited(w);
    void heap;
  }
}

/**
 * Waits for a worker that has reported to end by itself; terminates it only if it does not within a
 * few seconds. Terminating a worker that is already on its way out can abort the whole process in
 * Node 20 (an assertion in NodePlatform::ForIsolate, when V8's background compiler still holds a task
 * for the dying isolate), which happened once in a full bench run.
 */
function exited(w) {
  if (w.threadId === -1) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => void w.terminate().then(resolve, resolve), 5000);
    w.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Runs the shared-heap benchmark, or returns { unavailable } with the reason. */
export async function benchSharedHeap({ oursModule, seed, quick, trials, log }) {
  const { Heap } = await import(oursModule);
  if (!sharedHeapAvailable(Heap))
    return { unavailable: 'shared heap: not available yet (no Heap.attach in this build)' };
  // A long warm-up: with 200k steps V8 was still optimising the refill paths when the timed steps began,
  // and its compiler threads (~50 ms of CPU per trial) took turns on the two cores with the two workers
  // (each thread waited 15–50 ms on the run queue, per /proc/thread-self/schedstat); after 1M steps they
  // are quiet (helper CPU 10–17 ms, run-queue waits 4–12 ms), so the 2-thread rows measure the heap.
  const plan = quick
    ? { live: 100_000, warm: 300_000, steps: 300_000 }
    : { live: 100_000, warm: 1_000_000, steps: 1_000_000 };
  const kinds = [
    { key: 'own1', label: 'non-shared heap, 1 thread', mode: 'own', threads: 1 },
    // Nothing shared at all: what two threads of this churn can reach on this machine.
    { key: 'own2', label: '2 separate heaps, 2 threads', mode: 'own', threads: 2 },
    { key: 'shared1', label: 'shared heap, 1 thread', mode: 'shared', threads: 1 },
    { key: 'shared2', label: 'shared heap, 2 threads', mode: 'shared', threads: 2 },
    { key: 'wasm1', label: 'wasm-memory heap, 1 thread', mode: 'shared-wasm', threads: 1 },
    { key: 'wasm2', label: 'wasm-memory heap, 2 threads', mode: 'shared-wasm', threads: 2 },
    { key: 'locked1', label: 'global lock, 1 thread', mode: 'locked', threads: 1 },
    { key: 'locked2', label: 'global lock, 2 threads', mode: 'locked', threads: 2 },
  ];
  const settings = [
    { suffix: '', rate: 0, title: 'the allocator alone (memProfileRate: 0)' },
    { suffix: '+prof', rate: undefined, title: "with gomem's default heap profiling (memProfileRate 512 KiB)" },
  ];
  const configs = settings.flatMap((st) =>
    kinds.map((k) => ({ ...k, key: k.key + st.suffix, setting: st, memProfileRate: st.rate })),
  );
  const n = trials;
  const runs = Object.fromEntries(configs.map((c) => [c.key, []]));
  const errors = {};
  // Within a round, the configurations a target compares run next to each other (non-shared and shared
  // 1 thread, shared 1 and 2 threads, wasm 2 and 1 threads): this VM's speed drifts from one trial to
  // the next, and the targets are judged on the median of per-round ratios.
  const order = ['own1', 'shared1', 'shared2', 'wasm2', 'wasm1', 'own2', 'locked1', 'locked2'];
  const rank = (c) => settings.indexOf(c.setting) * order.length + order.indexOf(c.key.replace('+prof', ''));
  const runOrder = [...configs].sort((a, b) => rank(a) - rank(b));
  for (let t = 0; t < n; t++) {
    for (const c of runOrder) {
      if (errors[c.key]) continue;
      log?.(`  shared heap: ${c.label}, trial ${t + 1}/${n}`);
      try {
        runs[c.key][t] = await trial(Heap, oursModule, c.mode, c.threads, plan, seed + t, c.memProfileRate);
      } catch (err) {
        errors[c.key] = err instanceof Error ? err.message : String(err);
        log?.(`  shared heap: ${c.label}: ${errors[c.key]}`);
      }
    }
  }
  const rows = configs.map((c) => ({
    ...c,
    error: errors[c.key],
    nsPerOp: median(runs[c.key].filter(Boolean).map((r) => r.nsPerOp)),
    mops: median(runs[c.key].filter(Boolean).map((r) => r.mops)),
    trials: runs[c.key].filter(Boolean).map((r) => +r.mops.toFixed(3)),
  }));
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  /**
   * Median over rounds of f(trial of a, trial of b) in the same round. A configuration that failed in
   * any trial is not judged on the trials that happened to pass: NaN.
   */
  const paired = (a, b, f) =>
    a.error || b.error ? NaN : median(runs[a.key].map((x, t) => (x && runs[b.key][t] ? f(x, runs[b.key][t]) : NaN)));
  const lines = [
    `shared heap (issue 3): churn, ${plan.live / 1000}k live blocks per thread, ${plan.steps / 1000}k timed steps per thread, median of ${n}`,
  ];
  const verdicts = [];
  for (const st of settings) {
    const of = (key) => by[key + st.suffix];
    lines.push(
      '',
      st.title,
      'configuration                 ns/op per thread   Mops/s total   vs shared 1 thread',
      '----------------------------  ----------------   ------------   ------------------',
    );
    for (const r of rows.filter((r) => r.setting === st)) {
      if (r.error) {
        lines.push(`${r.label.padEnd(28)}  n/a: ${r.error}`);
        continue;
      }
      const rel = r.mops / of('shared1').mops;
      lines.push(
        `${r.label.padEnd(28)}  ${r.nsPerOp.toFixed(1).padStart(16)}   ${r.mops.toFixed(2).padStart(12)}   ${Number.isFinite(rel) ? `${rel.toFixed(2)}×` : '—'}`.trimEnd(),
      );
    }
    const speedup = (one, two) => paired(one, two, (x, y) => y.mops / x.mops);
    const overhead = (one) => paired(one, of('own1'), (x, y) => x.nsPerOp / y.nsPerOp);
    const ceiling = speedup(of('own1'), of('own2'));
    if (Number.isFinite(ceiling)) {
      lines.push(
        `2 threads / 1 thread, median of per-round ratios: separate heaps (this machine's ceiling) ${ceiling.toFixed(2)}×, the shared heap ${speedup(of('shared1'), of('shared2')).toFixed(2)}×, the wasm-memory heap ${speedup(of('wasm1'), of('wasm2')).toFixed(2)}×`,
      );
    }
    // Issue 3's two targets, for the heap in a SharedArrayBuffer and in a WebAssembly.Memory.
    const tag = st.suffix ? ', profiling' : '';
    for (const [name, one, two] of [
      ['shared heap', of('shared1'), of('shared2')],
      ['wasm memory', of('wasm1'), of('wasm2')],
    ]) {
      verdicts.push(
        verdict('i3', `${name}${tag}: 2 threads / 1 thread throughput`, speedup(one, two), '>=', 1.6),
        verdict('i3', `${name}${tag}: 1 thread / non-shared ns/op`, overhead(one), '<=', 1.3),
      );
    }
  }
  return { text: lines.join('\n'), rows, plan, verdicts };
}
