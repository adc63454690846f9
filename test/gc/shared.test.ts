// The collector on a shared heap: Workers churn object graphs (including the lost-object pattern)
// while the main thread drives incremental marking; nothing reachable may be lost, and a final
// heap.gc() leaves exactly what the Workers can still reach. Needs the build (dist/).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';

const workerUrl = new URL('./gc-worker.mjs', import.meta.url);

function runWorker(data: object): Promise<{ reachable: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(workerUrl, { workerData: data });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (code) => code !== 0 && reject(new Error(`worker exited ${code}`)));
  });
}

describe('collector on a shared heap', () => {
  it('several Workers mutate while the main thread marks; nothing reachable is lost', async () => {
    const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
    heap.setGCPercent(10);
    const handle = heap.handle();
    let running = true;
    let steps = 0;
    const marker = (async () => {
      while (running) {
        heap.gcStep(512);
        steps++;
        await new Promise((r) => setTimeout(r, 0));
      }
    })();
    const results = await Promise.all([1, 2, 3].map((id) => runWorker({ handle, id, seed: id * 7919, steps: 20_000 })));
    running = false;
    await marker;
    heap.gc();
    heap.gc(); // the second also frees the tiny-block and floating garbage of the first
    const st = heap.readMemStats();
    expect(st.NumGC).toBeGreaterThan(3);
    expect(steps).toBeGreaterThan(0);
    expect(st.HeapObjects).toBe(results.reduce((a, r) => a + r.reachable, 0));
  });
});
