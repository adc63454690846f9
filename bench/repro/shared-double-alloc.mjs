// Repro: two Workers churn on one shared heap, each over its OWN blocks only (no pointer ever crosses
// threads). Each block is stamped with (thread, slot, generation) and checked before it is freed.
// Expected: no output but "ok". Seen: a stamp overwritten by the other thread (the same memory handed
// to both threads) and/or InvalidPointerError "not a live object (already freed?)" on a pointer this
// thread allocated and never freed.
//   npm run build && node bench/repro/shared-double-alloc.mjs [rounds]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Heap } from '../../dist/index.js';

if (isMainThread) {
  const rounds = Number(process.argv[2] ?? 5);
  let bad = 0;
  for (let r = 0; r < rounds; r++) {
    const heap = new Heap({ shared: true, maxBytes: 1 << 30 });
    const gate = new Int32Array(new SharedArrayBuffer(8));
    const run = (id) =>
      new Promise((resolve) => {
        const w = new Worker(new URL(import.meta.url), { workerData: { handle: heap.handle(), id, gate: gate.buffer } });
        w.once('message', resolve);
        w.once('error', (e) => resolve(String(e)));
      });
    const both = Promise.all([run(1), run(2)]);
    while (Atomics.load(gate, 0) < 2) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(gate, 1, 1);
    Atomics.notify(gate, 1);
    const res = await both;
    for (const x of res) if (x !== 'ok') bad++;
    console.log(`round ${r + 1}:`, res.join(' | '));
  }
  process.exitCode = bad ? 1 : 0;
} else {
  const { handle, id, gate: gateBuf } = workerData;
  const heap = Heap.attach(handle);
  const LIVE = Number(process.env.LIVE ?? 100_000), STEPS = 300_000;
  const ptr = new Uint32Array(LIVE), gen = new Uint32Array(LIVE), len = new Uint32Array(LIVE);
  let s = id * 2654435761;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const size = () => { const r = rnd(); return r < 0.95 ? 8 + ((rnd() * 249) | 0) : r < 0.999 ? 257 + ((rnd() * 32512) | 0) : 65536 + ((rnd() * 983040) | 0); };
  const stamp = (i) => { if (len[i] >= 12) { const v = new Int32Array(heap.buffer, ptr[i] & ~3, 3); v[0] = id; v[1] = i; v[2] = gen[i]; } };
  const check = (i) => {
    if (len[i] < 12) return;
    const v = new Int32Array(heap.buffer, ptr[i] & ~3, 3);
    if (v[0] !== id || v[1] !== i || v[2] !== gen[i]) throw new Error(`thread ${id}: block ${ptr[i]} (slot ${i}, ${len[i]} B) holds thread ${v[0]} slot ${v[1]} gen ${v[2]}, expected gen ${gen[i]}`);
  };
  const put = (i) => { len[i] = size(); ptr[i] = heap.malloc(len[i]); gen[i]++; stamp(i); };
  for (let i = 0; i < LIVE; i++) put(i);
  const g = new Int32Array(gateBuf);
  Atomics.add(g, 0, 1);
  while (Atomics.load(g, 1) === 0) Atomics.wait(g, 1, 0, 20);
  try {
    for (let k = 0; k < STEPS; k++) {
      const i = (rnd() * LIVE) | 0;
      check(i);
      heap.free(ptr[i]);
      put(i);
    }
    parentPort.postMessage('ok');
  } catch (e) {
    parentPort.postMessage(`${e.name}: ${e.message}`);
  }
}
