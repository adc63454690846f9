// What one Atomics operation costs next to a plain typed-array access, in this Node's V8. The shared
// heap's code (src/runtime/mspan.ts, mcentral.ts, heap.ts) uses Atomics only where a plain access
// would be wrong, because V8 here does not compile them inline: each is a call into a builtin.
//
//   node bench/atomics.mjs
//
// Prints ns per operation over an Int32Array on a growable SharedArrayBuffer (what a shared heap uses).

const STEPS = 10_000_000;
const view = new Int32Array(new SharedArrayBuffer(1 << 20, { maxByteLength: 1 << 24 }), 0, 1 << 18);

// One function per operation, so each call site sees a single kind of access.
const ops = {
  'plain read': (a, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i & 1023];
    return sum;
  },
  'plain read-modify-write': (a, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += a[i & 1023] |= 1;
    return sum;
  },
  'Atomics.load': (a, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Atomics.load(a, i & 1023);
    return sum;
  },
  'Atomics.or': (a, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Atomics.or(a, i & 1023, 1);
    return sum;
  },
  'Atomics.compareExchange': (a, n) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Atomics.compareExchange(a, i & 1023, 1, 1);
    return sum;
  },
};

console.log(`node ${process.version}: ns per operation, Int32Array on a growable SharedArrayBuffer`);
for (const [name, run] of Object.entries(ops)) {
  run(view, 200_000); // warm up and optimise
  run(view, 200_000);
  const start = performance.now();
  run(view, STEPS);
  const ns = ((performance.now() - start) * 1e6) / STEPS;
  console.log(`${name.padEnd(26)} ${ns.toFixed(1).padStart(6)} ns`);
}
