// Measures the cost of Heap.malloc's fast path (and free's) so the profiler's hooks can be checked
// against a baseline: run before and after a change, on the built dist/.
//   node test/profile/malloc-cost.mjs [rounds]
import { Heap } from '../../dist/index.js';

const rounds = Number(process.argv[2] ?? 7);
const N = 1 << 16;
const ptrs = new Float64Array(N);

/** [ns per malloc, ns per free] */
function run(heap, size) {
  let m = 0;
  let f = 0;
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) ptrs[i] = heap.malloc(size);
    const t1 = performance.now();
    for (let i = 0; i < N; i++) heap.free(ptrs[i]);
    m += t1 - t0;
    f += performance.now() - t1;
  }
  return [(m * 1e6) / (20 * N), (f * 1e6) / (20 * N)];
}

for (const [label, opts] of [
  ['default rate', {}],
  ['memProfileRate 0', { memProfileRate: 0 }],
]) {
  const heap = new Heap({ maxBytes: 256 << 20, ...opts });
  const best = {};
  for (const size of [32, 64, 1024]) best[size] = [Infinity, Infinity];
  for (let k = 0; k < rounds; k++) {
    for (const size of [32, 64, 1024]) {
      const [m, f] = run(heap, size);
      best[size] = [Math.min(best[size][0], m), Math.min(best[size][1], f)];
    }
  }
  console.log(
    `${label.padEnd(18)} ns per malloc / free (best of ${rounds}): ` +
      Object.entries(best)
        .map(([s, [m, f]]) => `${s} B ${m.toFixed(1)} / ${f.toFixed(1)}`)
        .join('   '),
  );
}
