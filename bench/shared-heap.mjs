// ── Issue 3: the shared-heap benchmark ────────────────────────────────────────────────────────────
//
// Churn throughput with 1 thread and with 2 threads on one shared heap (each thread a P with its own
// mcache), and the same threads on one global lock around the single-thread allocator, the naive
// alternative. Targets (issue 3): 2 threads ≥ 1.6× the 1-thread throughput; a shared heap with 1
// thread within 1.3× of the non-shared heap's ns/op.
//
// Every thread is a Worker (shared-worker.mjs) running the churn of issue 2 over its own live set
// and its own seeded sequence (two workers on two separate heaps show what the machine itself allows
// two threads). The shared heap runs in a SharedArrayBuffer and in a shared WebAssembly.Memory (the
// same code; the issue asks for both). A 1-thread configuration has a heap of its own holding its one
// live set, as the non-shared heap does; the 2-thread ones share a heap holding both. When this build
// has no Heap.attach, the benchmark says so and the run goes on.
//
// Interleaved phases. This 2-vCPU VM's speed drifts by up to 2× between trials minutes, even seconds,
// apart, so a configuration measured in a trial of its own (fresh workers, 1M timed steps) and compared
// with another one's trial measured the VM as much as the heap. Instead every worker starts once — two
// on separate non-shared heaps, one on a shared heap of its own and two on another, the same for a
// wasm-memory heap, two under the global lock: ten in all — each filling and warming up untimed. The main thread then runs rounds; a round is one short phase per
// configuration, the configurations a target compares in adjacent phases (non-shared then shared with
// 1 thread, shared with 1 then 2 threads, the wasm-memory heap with 2 then 1), so each round's ratio
// compares numbers taken within milliseconds of each other. A phase wakes its workers through a
// generation counter each; every worker runs an untimed lead-in of 30k steps (a worker that sat out the
// other phases runs its first 10k steps ~2× slower and the next 10k ~1.2×, which would favour whichever
// configuration of a pair ran second), meets the phase's other worker at a barrier, and times its next
// 50k steps (~10 ms); shared-worker.mjs has the protocol. Throughput = the phase's timed steps /
// (last end − first start); ns/op per thread = the median of the workers' own (end − start) / steps.
// The table gives medians over rounds; the verdicts the median over rounds of per-round ratios, printed
// with their inter-quartile range.
//
// Everything runs twice, as issue 2's table does: the allocator alone (memProfileRate 0) and with
// gomem's default heap profiling, whose stack captures (V8's, ~30 µs each, one per ~350 churn steps)
// cost more than the allocator itself here and do not scale across threads in one process. Each
// setting has its own ten workers, started when the one before has finished.

import { Worker } from 'node:worker_threads';
import { median, verdict } from './report.mjs';
import { MIX_MEAN_BYTES } from './sequences.mjs';

const WORKER = new URL('./shared-worker.mjs', import.meta.url);

// A phase takes 10–50 ms; one that has not finished after a minute is stuck (a lost wake-up, a deadlock
// under the global lock), and its workers count as failed instead of hanging the run.
const PHASE_TIMEOUT_MS = 60_000;

/** Whether this build of gomem has the multi-thread API the benchmark needs. */
export function sharedHeapAvailable(Heap) {
  return typeof Heap.attach === 'function' && typeof Heap.prototype.handle === 'function';
}

function heapMaxBytes(live, threads) {
  const want = live * threads * MIX_MEAN_BYTES * 3 + (64 << 20);
  return Math.min(2 ** 32, Math.ceil(want / (4 << 20)) * (4 << 20));
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Starts `threads` workers for each `{ name, mode, threads }` of `groups` and waits until every one has filled
 * and warmed up (or failed). Each worker may then be asked for up to `steps` more steps, `lead` untimed
 * and `chunk` timed at a time. Returns:
 *   groups      the worker ids of each group, by name, in start order
 *   phase(ids)  runs one chunk on each of those workers at once; resolves to { nsPerOp, mops }, or
 *               rejects with the error of a worker that failed (now or before)
 *   failure(ids) the first error of those workers, if any
 *   close()     tells every worker to exit and waits for them
 */
async function startWorkers(Heap, oursModule, groups, { live, warm, lead, chunk, steps, seed, memProfileRate }) {
  const total = groups.reduce((n, g) => n + g.threads, 0);
  // ctl[0]: bumped by a worker whenever it finishes a chunk; ctl[1], ctl[2]: the start barrier;
  // ctl[go(i)], ctl[done(i)]: worker i's generations. See shared-worker.mjs.
  const ctl = new Int32Array(new SharedArrayBuffer(4 * (3 + 2 * total)));
  const times = new Float64Array(new SharedArrayBuffer(8 * 2 * total));
  const go = (i) => 3 + 2 * i;
  const done = (i) => 4 + 2 * i;
  const failed = [];
  const workers = [];
  const heaps = []; // held here until every worker has exited
  let closing = false;
  const ids = {};
  const failure = (list) => failed[list.find((i) => failed[i]) ?? -1];

  /** Makes the heaps and starts the workers; every worker is in `workers` as soon as it exists. */
  function spawn() {
    for (const { name, mode, threads } of groups) {
      // Each heap is sized for the live sets it holds: one thread's for an own heap, all threads' otherwise.
      const maxBytes = heapMaxBytes(live, mode === 'own' ? 1 : threads);
      const common = { mode, oursModule, maxBytes, live, warm, lead, chunk, steps, memProfileRate };
      Object.assign(common, { ctlBuffer: ctl.buffer, timesBuffer: times.buffer });
      if (mode === 'shared') {
        const heap = new Heap({ shared: true, maxBytes });
        heaps.push(heap);
        common.handle = heap.handle();
      } else if (mode === 'shared-wasm') {
        // The same shared heap in a shared WebAssembly.Memory.
        const memory = new WebAssembly.Memory({ initial: 64, maximum: maxBytes / 65536, shared: true });
        const heap = new Heap({ memory, maxBytes });
        heaps.push(heap);
        common.handle = heap.handle();
        common.mode = 'shared';
      } else if (mode === 'locked') {
        const heap = new Heap({ maxBytes });
        if (!(heap.buffer instanceof SharedArrayBuffer))
          throw new Error('the non-shared heap is not in a SharedArrayBuffer');
        heaps.push(heap);
        common.buffer = heap.buffer;
        common.lockBuffer = new SharedArrayBuffer(4);
      }
      ids[name] = [];
      for (let t = 0; t < threads; t++) {
        const id = workers.length;
        ctl[done(id)] = -1;
        const w = new Worker(WORKER, { workerData: { ...common, id, seed: seed + 7919 * t } });
        w.on('error', (err) => {
          failed[id] ??= err instanceof Error ? err : new Error(String(err));
        });
        w.on('exit', (code) => {
          if (!closing) failed[id] ??= new Error(`worker exited with ${code} before it was told to`);
        });
        workers.push(w);
        ids[name].push(id);
      }
    }
  }

  async function close() {
    closing = true;
    for (let i = 0; i < total; i++) {
      Atomics.store(ctl, go(i), -1);
      Atomics.notify(ctl, go(i));
    }
    for (const w of workers) await exited(w);
    heaps.length = 0;
  }

  async function phase(list) {
    const before = failure(list);
    if (before) throw before;
    Atomics.store(ctl, 1, 0);
    Atomics.store(ctl, 2, list.length);
    const gens = list.map((i) => Atomics.add(ctl, go(i), 1) + 1);
    for (const i of list) Atomics.notify(ctl, go(i));
    const deadline = performance.now() + PHASE_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(ctl, 0);
      const pending = list.filter((i, j) => Atomics.load(ctl, done(i)) !== gens[j]);
      if (pending.length === 0) break;
      const f = failure(list);
      if (f) throw f;
      if (performance.now() > deadline) {
        for (const i of pending) failed[i] ??= new Error(`no chunk done after ${PHASE_TIMEOUT_MS / 1000} s`);
        continue;
      }
      // A worker that threw shows only as an 'error' event, which needs the event loop: give it a turn
      // whenever the wait times out (a phase usually ends well within 50 ms, so rarely while timing).
      if (Atomics.wait(ctl, 0, seen, 50) === 'timed-out') await tick();
    }
    const start = Math.min(...list.map((i) => times[2 * i]));
    const end = Math.max(...list.map((i) => times[2 * i + 1]));
    return {
      nsPerOp: median(list.map((i) => ((times[2 * i + 1] - times[2 * i]) * 1e6) / chunk)),
      mops: (list.length * chunk) / ((end - start) * 1e3),
    };
  }

  try {
    spawn();
    // Fill and warm-up, every worker at once (untimed); a failed worker counts as settled.
    const all = workers.map((_, i) => i);
    while (!all.every((i) => failed[i] || Atomics.load(ctl, done(i)) >= 0)) await new Promise((r) => setTimeout(r, 5));
  } catch (err) {
    await close(); // a heap that could not be made: the workers already started must not outlive the run
    throw err;
  }
  return { groups: ids, phase, failure, close };
}

/**
 * One timed run of one configuration on fresh workers: `threads` workers in `mode` fill, warm up for
 * `plan.warm` steps and run `plan.steps` steps at once; returns ns/op per thread and Mops/s, or rejects
 * with a worker's error. The benchmark itself interleaves phases instead (benchSharedHeap); this stays
 * for bench/repro/shared-free-race.mjs, which only asks whether a run survives.
 */
export async function trial(Heap, oursModule, mode, threads, plan, seed, memProfileRate) {
  const opts = {
    live: plan.live,
    warm: plan.warm,
    lead: 0,
    chunk: plan.steps,
    steps: plan.steps,
    seed,
    memProfileRate,
  };
  const pool = await startWorkers(Heap, oursModule, [{ name: mode, mode, threads }], opts);
  try {
    return await pool.phase(pool.groups[mode]);
  } finally {
    await pool.close();
  }
}

/**
 * Waits for a worker that has been told to exit to end by itself; terminates it only if it does not
 * within a few seconds (one stuck in a phase that timed out). Terminating a worker that is already on
 * its way out can abort the whole process in Node 20 (an assertion in NodePlatform::ForIsolate, when
 * V8's background compiler still holds a task for the dying isolate), which happened once in a full
 * bench run.
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

/** [first quartile, third quartile] of the finite values (linear interpolation), or NaNs. */
function quartiles(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return [NaN, NaN];
  const at = (q) => {
    const pos = (v.length - 1) * q;
    const lo = Math.floor(pos);
    return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (pos - lo);
  };
  return [at(0.25), at(0.75)];
}

/**
 * Runs the shared-heap benchmark, or returns { unavailable } with the reason. The number of rounds is
 * fixed by `quick` (run.mjs's `trials` is not used: a round is not a trial, and the rounds' spread is
 * printed).
 */
export async function benchSharedHeap({ oursModule, seed, quick, log }) {
  const { Heap } = await import(oursModule);
  if (!sharedHeapAvailable(Heap))
    return { unavailable: 'shared heap: not available yet (no Heap.attach in this build)' };
  // A long warm-up: with 200k steps V8 was still optimising the refill paths when the timed steps began,
  // and its compiler threads (~50 ms of CPU per trial) took turns on the two cores with the two workers
  // (each thread waited 15–50 ms on the run queue, per /proc/thread-self/schedstat); after 1M steps they
  // are quiet (helper CPU 10–17 ms, run-queue waits 4–12 ms), so the 2-thread rows measure the heap.
  // Two untimed rounds follow, so the first timed phases do not pay for the workers' first wake-ups.
  const plan = quick
    ? { live: 100_000, warm: 300_000, lead: 30_000, chunk: 50_000, rounds: 12, untimedRounds: 2 }
    : { live: 100_000, warm: 1_000_000, lead: 30_000, chunk: 50_000, rounds: 40, untimedRounds: 2 };
  // Each configuration runs on the first `threads` workers of its group. The 1-thread shared heaps are
  // groups of their own: a heap that also held the other thread's live set would spread this thread's
  // objects over twice the memory, which the non-shared heap it is compared with does not.
  const groups = [
    { name: 'own', mode: 'own', threads: 2 }, // two workers, each with a non-shared heap of its own
    { name: 'shared-solo', mode: 'shared', threads: 1 },
    { name: 'shared', mode: 'shared', threads: 2 },
    { name: 'wasm-solo', mode: 'shared-wasm', threads: 1 },
    { name: 'wasm', mode: 'shared-wasm', threads: 2 },
    { name: 'locked', mode: 'locked', threads: 2 },
  ];
  const kinds = [
    { key: 'own1', label: 'non-shared heap, 1 thread', group: 'own', threads: 1 },
    // Nothing shared at all: what two threads of this churn can reach on this machine.
    { key: 'own2', label: '2 separate heaps, 2 threads', group: 'own', threads: 2 },
    { key: 'shared1', label: 'shared heap, 1 thread', group: 'shared-solo', threads: 1 },
    { key: 'shared2', label: 'shared heap, 2 threads', group: 'shared', threads: 2 },
    { key: 'wasm1', label: 'wasm-memory heap, 1 thread', group: 'wasm-solo', threads: 1 },
    { key: 'wasm2', label: 'wasm-memory heap, 2 threads', group: 'wasm', threads: 2 },
    { key: 'locked1', label: 'global lock, 1 thread', group: 'locked', threads: 1 },
    { key: 'locked2', label: 'global lock, 2 threads', group: 'locked', threads: 2 },
  ];
  const settings = [
    { suffix: '', rate: 0, name: 'memProfileRate 0', title: 'the allocator alone (memProfileRate: 0)' },
    {
      suffix: '+prof',
      rate: undefined,
      name: 'profiling',
      title: "with gomem's default heap profiling (memProfileRate 512 KiB)",
    },
  ];
  const configs = settings.flatMap((st) =>
    kinds.map((k) => ({ ...k, key: k.key + st.suffix, setting: st, memProfileRate: st.rate })),
  );
  const byKey = Object.fromEntries(configs.map((c) => [c.key, c]));
  const runs = Object.fromEntries(configs.map((c) => [c.key, []]));
  const errors = {};
  // The order of the phases within a round: the configurations a target compares are neighbours.
  const order = ['own1', 'shared1', 'shared2', 'wasm2', 'wasm1', 'own2', 'locked1', 'locked2'];
  // Worker 0 of a group takes part in two phases a round, worker 1 in one; both get enough for two.
  const steps = (plan.rounds + plan.untimedRounds) * (plan.lead + plan.chunk) * 2;
  for (const st of settings) {
    const fail = (c, err) => {
      errors[c.key] = err instanceof Error ? err.message : String(err);
      log?.(`  shared heap (${st.name}): ${c.label}: ${errors[c.key]}`);
    };
    log?.(`  shared heap (${st.name}): ${groups.reduce((n, g) => n + g.threads, 0)} workers filling and warming up`);
    let pool;
    try {
      pool = await startWorkers(Heap, oursModule, groups, {
        live: plan.live,
        warm: plan.warm,
        lead: plan.lead,
        chunk: plan.chunk,
        steps,
        seed,
        memProfileRate: st.rate,
      });
    } catch (err) {
      for (const k of kinds) fail(byKey[k.key + st.suffix], err);
      continue;
    }
    const workersOf = (c) => pool.groups[c.group].slice(0, c.threads);
    try {
      for (let r = -plan.untimedRounds; r < plan.rounds; r++) {
        log?.(
          r < 0
            ? `  shared heap (${st.name}): untimed round ${r + plan.untimedRounds + 1}/${plan.untimedRounds}`
            : `  shared heap (${st.name}): round ${r + 1}/${plan.rounds}`,
        );
        for (const key of order) {
          const c = byKey[key + st.suffix];
          if (errors[c.key]) continue;
          try {
            const x = await pool.phase(workersOf(c));
            if (r >= 0) runs[c.key][r] = x;
          } catch (err) {
            fail(c, err);
          }
        }
        await tick(); // lets the log line and any worker's 'error' event through between rounds
      }
    } finally {
      await pool.close();
    }
    // A worker that failed after its last phase still fails every configuration it took part in.
    for (const k of kinds) {
      const c = byKey[k.key + st.suffix];
      const f = pool.failure(workersOf(c));
      if (f && !errors[c.key]) fail(c, f);
    }
  }
  const done = (key) => runs[key].filter(Boolean);
  const rows = configs.map((c) => ({
    ...c,
    error: errors[c.key],
    nsPerOp: median(done(c.key).map((r) => r.nsPerOp)),
    mops: median(done(c.key).map((r) => r.mops)),
    trials: done(c.key).map((r) => +r.mops.toFixed(3)),
  }));
  const by = Object.fromEntries(rows.map((r) => [r.key, r]));
  /**
   * f(phase of a, phase of b) for every round in which both ran. A configuration that failed in any
   * round is not judged on the rounds that happened to pass: no values.
   */
  const paired = (a, b, f) =>
    a.error || b.error ? [] : runs[a.key].flatMap((x, t) => (x && runs[b.key][t] ? [f(x, runs[b.key][t])] : []));
  const spread = (values) => {
    const m = median(values);
    if (!Number.isFinite(m)) return 'n/a';
    const [q1, q3] = quartiles(values);
    return `${m.toFixed(2)}× [${q1.toFixed(2)}–${q3.toFixed(2)}]`;
  };
  const lines = [
    `shared heap (issue 3): churn, ${plan.live / 1000}k live blocks per thread, ${plan.warm / 1000}k warm-up steps; ` +
      `${plan.rounds} rounds (after ${plan.untimedRounds} untimed) of one phase per configuration: ${plan.chunk / 1000}k timed steps per thread ` +
      `after ${plan.lead / 1000}k untimed; medians over rounds`,
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
    const ceilings = speedup(of('own1'), of('own2'));
    const ofCeiling = (one, two) => {
      const own1 = of('own1');
      const own2 = of('own2');
      if (one.error || two.error || own1.error || own2.error) return [];
      return runs[one.key].flatMap((x, t) => {
        const y = runs[two.key][t];
        const a = runs[own1.key][t];
        const b = runs[own2.key][t];
        return x && y && a && b ? [y.mops / x.mops / (b.mops / a.mops)] : [];
      });
    };
    lines.push(
      `2 threads / 1 thread throughput, median of per-round ratios [inter-quartile range]: separate heaps (this machine's ceiling) ${spread(ceilings)}, ` +
        `the shared heap ${spread(speedup(of('shared1'), of('shared2')))}, the wasm-memory heap ${spread(speedup(of('wasm1'), of('wasm2')))}, ` +
        `the global lock ${spread(speedup(of('locked1'), of('locked2')))}`,
      `1 thread / non-shared ns/op, the same way: the shared heap ${spread(overhead(of('shared1')))}, the wasm-memory heap ${spread(overhead(of('wasm1')))}`,
      // The 2-thread ratio over the ceiling's in the same round: what is left once the machine's own
      // limit on two threads (which moves from run to run) is divided out. Not a target, a diagnosis.
      `2-thread ratio / the ceiling's, the same way: the shared heap ${spread(ofCeiling(of('shared1'), of('shared2')))}, ` +
        `the wasm-memory heap ${spread(ofCeiling(of('wasm1'), of('wasm2')))}`,
    );
    // Issue 3's two targets, for the heap in a SharedArrayBuffer and in a WebAssembly.Memory.
    const tag = st.suffix ? ', profiling' : '';
    for (const [name, one, two] of [
      ['shared heap', of('shared1'), of('shared2')],
      ['wasm memory', of('wasm1'), of('wasm2')],
    ]) {
      verdicts.push(
        verdict('i3', `${name}${tag}: 2 threads / 1 thread throughput`, median(speedup(one, two)), '>=', 1.6),
        verdict('i3', `${name}${tag}: 1 thread / non-shared ns/op`, median(overhead(one)), '<=', 1.3),
      );
    }
  }
  return { text: lines.join('\n'), rows, plan, verdicts };
}
