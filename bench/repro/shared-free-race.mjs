// Repro: two Workers churn on one shared heap (bench/shared-worker.mjs, mode "shared": each thread
// Heap.attach()es, fills 100k blocks of its own, then frees a random own block and mallocs a new one
// per step; no pointer ever crosses threads). Sometimes a thread's free() throws InvalidPointerError
// "not a live object (already freed?)" for a pointer it allocated itself and has not freed.
//   npm run build && node bench/repro/shared-free-race.mjs [trials] [threads]
import { trial } from '../shared-heap.mjs';

const oursModule = new URL('../../dist/index.js', import.meta.url).href;
const { Heap } = await import(oursModule);
const trials = Number(process.argv[2] ?? 10);
const threads = Number(process.argv[3] ?? 2);
let failures = 0;
for (let t = 0; t < trials; t++) {
  try {
    const r = await trial(
      Heap,
      oursModule,
      'shared',
      threads,
      { live: 100_000, warm: 200_000, steps: 300_000 },
      20240601 + t,
    );
    console.log(`trial ${t + 1}: ok (${r.mops.toFixed(2)} Mops/s)`);
  } catch (err) {
    failures++;
    console.log(`trial ${t + 1}: ${err.name}: ${err.message}`);
  }
}
console.log(`${failures}/${trials} trials failed`);
process.exitCode = failures ? 1 : 0;
