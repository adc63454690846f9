// A Worker for the shared-heap collector test: attaches, roots a table of 32 node pointers, and churns
// — new nodes, links, and the lost-object pattern (copy a pointer into another slot, clear the first)
// — while other threads mark. A shadow of what every slot and link should hold is kept in JS; any
// object collected while reachable shows up as a wrong sequence number or an InvalidPointerError.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap } from '../../dist/index.js';

const { handle, id, seed, steps } = workerData;
const stepWork = workerData.stepWork ?? 256; // 0: never drive marking (a background mark worker does)
const heap = Heap.attach(handle);
const Node = heap.defineType({ name: 'Node', size: 16, pointers: [0, 4] }); // left, right, seq, owner
const Table = heap.defineType({ name: 'Table', size: 128, pointers: Array.from({ length: 32 }, (_, k) => 4 * k) });

let state = seed >>> 0;
const rand = (n) => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state % n;
};
const table = heap.root(heap.scope(() => heap.new(Table)));
const slotSeq = new Array(32).fill(0); // seq of the node in each slot, 0 = nil
const leftOf = new Map(); // seq → seq of its left child (0 = nil)
let seq = 0;
const i32 = () => new Int32Array(heap.buffer);

function check(p, want) {
  if (want === 0) {
    if (p !== 0) throw new Error(`worker ${id}: expected nil, got ${p}`);
    return;
  }
  heap.collector.sizeOf(p); // throws if collected
  const got = i32()[(p + 8) >>> 2];
  const owner = i32()[(p + 12) >>> 2];
  if (got !== want || owner !== id) throw new Error(`worker ${id}: node seq ${got}/${owner}, want ${want}/${id}`);
}

for (let step = 0; step < steps; step++) {
  heap.scope(() => {
    const t = table.get();
    const k = rand(32);
    const j = rand(32);
    const r = rand(10);
    if (r < 4) {
      const n = heap.new(Node);
      seq++;
      i32()[(n + 8) >>> 2] = seq;
      i32()[(n + 12) >>> 2] = id;
      const left = heap.loadPointer(t, 4 * j);
      heap.storePointer(n, 0, left);
      leftOf.set(seq, slotSeq[j]);
      heap.storePointer(t, 4 * k, n);
      slotSeq[k] = seq;
    } else if (r < 7) {
      // The lost-object pattern: move slot k's node to slot j, then clear k.
      heap.storePointer(t, 4 * j, heap.loadPointer(t, 4 * k));
      slotSeq[j] = slotSeq[k];
      if (j !== k) {
        heap.storePointer(t, 4 * k, 0);
        slotSeq[k] = 0;
      }
    } else if (r < 9) {
      if (stepWork > 0) heap.gcStep(stepWork);
    } else {
      // Check a slot and its left chain.
      let p = heap.loadPointer(t, 4 * k);
      let want = slotSeq[k];
      const trail = [];
      for (let depth = 0; depth < 50 && want !== 0; depth++) {
        trail.push([p, want, Array.from(i32().subarray(p >>> 2, (p >>> 2) + 4))]);
        if (p === 0) throw new Error(`worker ${id}: nil in chain: ${JSON.stringify(trail)} slot ${k} step ${step}`);
        check(p, want);
        p = heap.loadPointer(p, 0);
        want = leftOf.get(want) ?? 0;
      }
    }
  });
}
// Everything this worker can reach: the table and the distinct nodes under it.
const seen = new Set();
const stack = [];
for (let k = 0; k < 32; k++) stack.push([heap.loadPointer(table.get(), 4 * k), slotSeq[k]]);
while (stack.length) {
  const [p, want] = stack.pop();
  if (want === 0 || seen.has(want)) continue;
  check(p, want);
  seen.add(want);
  stack.push([heap.loadPointer(p, 0), leftOf.get(want) ?? 0]);
}
heap.detach();
parentPort.postMessage({ reachable: seen.size + 1 });
