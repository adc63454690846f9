// The background mark worker in a real browser: a cross-origin isolated page (COOP/COEP headers, for
// SharedArrayBuffer) loads dist/index.js, starts the shipped browser entry as a module Worker, runs
// binary trees with a long-lived tree at GOGC=10 while the worker marks, checks every tree, stops the
// worker and counts what a final gc() leaves. Playwright-core drives Debian's chromium (CI installs it
// with apt); skipped when /usr/bin/chromium is absent. Needs dist/.
import { existsSync, readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../chromium.js';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
// What a bundler would do for the page and its module Worker: resolve the two bare imports.
const packages: Record<string, string> = {
  fflate: fileURLToPath(new URL('../../node_modules/fflate/esm/browser.js', import.meta.url)),
  'pprof-format': fileURLToPath(new URL('../../node_modules/pprof-format/dist/esm/index.js', import.meta.url)),
};

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { Heap, markWorkerEntry } from '/dist/index.js';
try {
  const heap = new Heap({ shared: true, maxBytes: 256 << 20 });
  heap.setGCPercent(10);
  const w = new Worker(markWorkerEntry.browser, { type: 'module' });
  const summary = new Promise((resolve) => w.addEventListener('message', (e) => resolve(e.data)));
  const mw = heap.startMarkWorker((handle) => w.postMessage(handle));
  await mw.started();
  const Node = heap.defineType({ name: 'Node', size: 8, pointers: [0, 4] });
  const make = (d) => { const n = heap.new(Node); if (d > 0) { heap.storePointer(n, 0, make(d - 1)); heap.storePointer(n, 4, make(d - 1)); } return n; };
  const check = (t) => { const l = heap.loadPointer(t, 0); return l === 0 ? 1 : 1 + check(l) + check(heap.loadPointer(t, 4)); };
  const long = heap.root(heap.scope(() => make(12)));
  let bad = 0;
  for (let i = 0; i < 300; i++) {
    if (heap.scope(() => check(make(10))) !== 2047) bad++;
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  if (check(long.get()) !== 8191) bad++;
  const stats = mw.stats();
  const numGC = heap.readMemStats().NumGC;
  await mw.stop();
  heap.gc();
  heap.gc();
  window.result = { ok: true, bad, stats, numGC, summary: await summary, objects: heap.readMemStats().HeapObjects, state: mw.state };
} catch (e) {
  window.result = { ok: false, error: String(e && e.stack || e) };
}
</script>`;

function serve(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/html' }).end(page);
      return;
    }
    const pkg = path.startsWith('/pkg/') ? packages[path.slice(5)] : undefined;
    const file = pkg ?? normalize(join(dist, path.replace(/^\/dist\//, '')));
    if (
      (pkg === undefined && (!path.startsWith('/dist/') || !file.startsWith(dist))) ||
      !existsSync(file) ||
      extname(file) !== '.js'
    ) {
      res.writeHead(404, headers).end();
      return;
    }
    const js = readFileSync(file, 'utf8').replace(/from '(fflate|pprof-format)'/g, "from '/pkg/$1'");
    res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(js);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}/` });
    }),
  );
}

describe.skipIf(!hasChromium)('background mark worker in chromium', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    ({ server, url } = await serve());
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('the browser entry marks beside the page; trees intact, exact HeapObjects after stop', async () => {
    const context = await launchChromium();
    try {
      const tab = await context.newPage();
      await tab.goto(url);
      await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
        timeout: 60_000,
      });
      const result = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
        ok: boolean;
        error?: string;
        bad: number;
        stats: { cycles: number; scanBytes: number };
        numGC: number;
        summary: { kind: string; summary: { cycles: number } };
        objects: number;
        state: string;
      };
      expect(result.error).toBeUndefined();
      expect(result.bad).toBe(0);
      expect(result.numGC).toBeGreaterThan(3);
      expect(result.stats.cycles).toBeGreaterThan(0);
      expect(result.stats.scanBytes).toBeGreaterThan(0);
      expect(result.summary.kind).toBe('gomem-mark-worker-done');
      expect(result.state).toBe('stopped');
      expect(result.objects).toBe(8191); // the long-lived tree
    } finally {
      await context.close();
    }
  }, 90_000);
});
