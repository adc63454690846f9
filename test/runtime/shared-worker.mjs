// A Worker for the shared-heap tests: attaches to the heap it is handed and runs one of the roles
// below, stamping every block it owns with (owner, sequence) and checking the stamp before freeing.
import { parentPort, workerData } from 'node:worker_threads';
import { Heap } from '../../dist/index.js';

const { role, handle, id, seed, steps, ring, startGate } = workerData;
const heap = Heap.attach(handle);
const gate = new Int32Array(startGate);
Atomics.add(gate, 0, 1);
Atomics.notify(gate, 0);
while (Atomics.load(gate, 1) === 0) Atomics.wait(gate, 1, 0, 50); // start together: races only show under overlap

let state = seed >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function size() {
  const r = rand();
  if (r < 0.02) return 32769 + Math.floor(rand() * 100000);
  if (r < 0.1) return 1025 + Math.floor(rand() * 31000);
  if (r < 0.3) return 8 + Math.floor(rand() * 8); // tiny
  return 8 + Math.floor(rand() * 1000);
}
/** Every block starts with [owner, seq] and is filled with a byte derived from both. */
function stamp(p, n, owner, seq) {
  const dv = new DataView(heap.buffer);
  if (n >= 8) {
    dv.setInt32(p, owner, true);
    dv.setInt32(p + 4, seq, true);
  }
  new Uint8Array(heap.buffer, p, n).fill((owner * 31 + seq) & 255, Math.min(n, 8));
}
function check(p, n, owner, seq) {
  const dv = new DataView(heap.buffer);
  if (n >= 8 && (dv.getInt32(p, true) !== owner || dv.getInt32(p + 4, true) !== seq)) {
    throw new Error(
      `block ${p} (${n} B) of owner ${owner} seq ${seq} holds owner ${dv.getInt32(p, true)} seq ${dv.getInt32(p + 4, true)}`,
    );
  }
  const u8 = new Uint8Array(heap.buffer, p, n);
  const want = (owner * 31 + seq) & 255;
  for (let i = Math.min(n, 8); i < n; i++) if (u8[i] !== want) throw new Error(`block ${p} byte ${i} overwritten`);
}

try {
  if (role === 'churn') {
    const live = [];
    const cap = workerData.live ?? 2000;
    let seq = 0;
    for (let step = 0; step < steps; step++) {
      if (live.length > 0 && (live.length > cap || rand() < 0.5)) {
        const k = Math.floor(rand() * live.length);
        const b = live[k];
        live[k] = live[live.length - 1];
        live.pop();
        check(b.p, b.n, id, b.seq);
        heap.free(b.p);
      } else {
        const n = size();
        const p = heap.malloc(n);
        stamp(p, n, id, ++seq);
        live.push({ p, n, seq });
      }
    }
    for (const b of live) {
      check(b.p, b.n, id, b.seq);
      heap.free(b.p);
    }
    heap.detach();
    parentPort.postMessage({ done: true, steps });
  } else if (role === 'producer' || role === 'consumer') {
    // A single-producer single-consumer ring of (pointer, size, seq) triples in its own SharedArrayBuffer.
    const q = new Int32Array(ring); // [head, tail, ...slots*3]
    const slots = (q.length - 2) / 3;
    if (role === 'producer') {
      for (let seq = 1; seq <= steps; seq++) {
        const n = size();
        const p = heap.malloc(n);
        stamp(p, n, id, seq);
        let tail;
        while ((tail = Atomics.load(q, 1)) - Atomics.load(q, 0) >= slots) Atomics.wait(q, 0, Atomics.load(q, 0), 5);
        const at = 2 + (tail % slots) * 3;
        q[at] = p;
        q[at + 1] = n;
        q[at + 2] = seq;
        Atomics.store(q, 1, tail + 1);
        Atomics.notify(q, 1);
      }
      heap.detach();
      parentPort.postMessage({ done: true, steps });
    } else {
      for (let k = 0; k < steps; k++) {
        let head;
        while ((head = Atomics.load(q, 0)) === Atomics.load(q, 1)) Atomics.wait(q, 1, Atomics.load(q, 1), 5);
        const at = 2 + (head % slots) * 3;
        const p = q[at] >>> 0;
        const n = q[at + 1];
        const seq = q[at + 2];
        if (seq !== k + 1) throw new Error(`consumer expected seq ${k + 1}, got ${seq}`);
        check(p, n, workerData.producer, seq);
        heap.free(p); // freed on another thread than the one that allocated it
        Atomics.store(q, 0, head + 1);
        Atomics.notify(q, 0);
      }
      heap.detach();
      parentPort.postMessage({ done: true, steps });
    }
  } else if (role === 'freer') {
    // Frees the blocks it is handed (another thread allocated and stamped them, owner 0) in a shuffled
    // order, as fast as it can, then tells the main thread through gate[3].
    const { blocks, size: n } = workerData;
    for (let i = blocks.length - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      [blocks[i], blocks[k]] = [blocks[k], blocks[i]];
    }
    for (const b of blocks) {
      check(b.p, n, 0, b.seq);
      heap.free(b.p);
    }
    heap.detach();
    Atomics.add(gate, 3, 1);
    parentPort.postMessage({ done: true, steps: blocks.length });
  } else if (role === 'hoard') {
    // Allocates, reports what it holds, then never detaches: the test terminates it.
    const blocks = [];
    for (let i = 0; i < steps; i++) {
      const n = size();
      blocks.push(heap.malloc(n));
    }
    parentPort.postMessage({ p: heap.p, blocks });
    for (;;) Atomics.wait(gate, 2, 0, 1000);
  }
} catch (err) {
  parentPort.postMessage({ error: String(err && err.stack ? err.stack : err) });
}
