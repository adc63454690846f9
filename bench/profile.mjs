// Where gomem's time goes on one benchmark workload: runs it alone under V8's sampling profiler
// (node:inspector, the same data `node --cpu-prof` writes) and prints the functions with the most
// self time. Writes the .cpuprofile too, for Chrome DevTools or speedscope.
//
//   node bench/profile.mjs [churn|ring|pair] [--live N] [--size N] [--steps N] [--ours DIR] [--top N] [--counts]
//
// --counts replaces the sampling profile with V8's precise call counts (per function, per step):
// how often each slow path runs, which a sampling profile of inlined code cannot show. Timing is
// meaningless in that mode (counting keeps V8 from optimizing freely).

import { writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAllocators } from './allocators.mjs';
import { MIX_MEAN_BYTES, churnSequence, ringSequence } from './sequences.mjs';
import { runChurn, runPairs, runRing } from './workloads.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function args(argv) {
  const o = {
    workload: 'churn',
    live: 100_000,
    size: 64,
    steps: 1_000_000,
    ours: null,
    top: 25,
    allocator: 'gomem',
    counts: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) o.workload = a;
    else if (a === '--live') o.live = Number(argv[++i]);
    else if (a === '--size') o.size = Number(argv[++i]);
    else if (a === '--steps') o.steps = Number(argv[++i]);
    else if (a === '--ours') o.ours = argv[++i];
    else if (a === '--top') o.top = Number(argv[++i]);
    else if (a === '--counts') o.counts = true;
    else if (a === '--allocator') o.allocator = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Self time per function (name, file, line), largest first. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const cf = byId.get(id).callFrame;
    const key = `${cf.functionName || '(anonymous)'}  ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  return { total, rows: [...self].sort((a, b) => b[1] - a[1]) };
}

async function main() {
  const o = args(process.argv.slice(2));
  const oursModule = o.ours
    ? pathToFileURL(resolve(o.ours, 'index.js')).href
    : new URL('../dist/index.js', import.meta.url).href;
  const adapter = (await loadAllocators(oursModule)).find((a) => a.name === o.allocator);
  if (!adapter || adapter.unavailable) throw new Error(`allocator ${o.allocator} is not available`);
  // Sequences are made before profiling starts, so the profile holds only the allocator's work.
  const ringSeq = ringSequence(1, 1024);
  const seq = o.workload === 'churn' ? churnSequence(1 + o.live, o.live, 100_000 + o.steps) : null;
  const run = () => {
    if (o.workload === 'pair') return runPairs(adapter, o.size, { warm: 100_000, iters: o.steps, budgetMs: 0 });
    if (o.workload === 'ring') return runRing(adapter, ringSeq, { warm: 100_000, iters: o.steps, budgetMs: 0 });
    return runChurn(adapter, seq, { warm: 100_000, budgetMs: 0, expectBytes: o.live * MIX_MEAN_BYTES });
  };
  run(); // compile and warm outside the profile
  const session = new Session();
  session.connect();
  if (o.counts) {
    await session.post('Profiler.enable');
    await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });
    await session.post('Profiler.takePreciseCoverage'); // reset: count only the measured run
    const r = run();
    const { result } = await session.post('Profiler.takePreciseCoverage');
    session.disconnect();
    const rows = [];
    for (const script of result) {
      if (!script.url.includes('/runtime/') && !script.url.includes('/dist/')) continue;
      for (const fn of script.functions) {
        const count = fn.ranges[0]?.count ?? 0;
        if (count > 0 && fn.functionName)
          rows.push([`${fn.functionName}  ${script.url.split('/').slice(-2).join('/')}`, count]);
      }
    }
    rows.sort((a, b) => b[1] - a[1]);
    const steps = 100_000 + r.steps + (o.workload === 'churn' ? o.live : 1024);
    console.log(`${o.allocator} ${o.workload}: calls per step (${steps} steps incl. fill and warm-up)`);
    for (const [k, c] of rows.slice(0, o.top)) console.log(`${(c / steps).toFixed(4).padStart(10)}  ${k}`);
    return;
  }
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const r = run();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const outDir = join(here, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${o.allocator}-${o.workload}-${o.workload === 'pair' ? o.size : o.live}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  const { total, rows } = selfTimes(profile);
  console.log(
    `${o.allocator} ${o.workload} (${o.workload === 'pair' ? `${o.size} B` : `${o.live} live`}): ${r.nsPerOp.toFixed(1)} ns/op over ${r.steps} steps; profile: ${file}`,
  );
  console.log('self time  function');
  for (const [key, t] of rows.slice(0, o.top)) console.log(`${((100 * t) / total).toFixed(1).padStart(8)}%  ${key}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
