// The inspector in a real browser (playwright-core driving Debian's chromium, which CI installs with
// apt): the page loads, the page map and the size-class table show the heap's real numbers (compared
// with readMemStats), the curves advance while the workload runs, clicking a collected object shows
// its retainer path, the pprof download is a heap
// profile. Saves a screenshot (GOMEM_ARTIFACTS, default <tmp>/gomem-artifacts/inspector.png).
// Skipped when /usr/bin/chromium is absent.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../chromium.js';
import type { BrowserContext, Page } from 'playwright-core';
import { Heap } from '../../src/index.js';
import { type Inspector, serveInspector } from '../../src/inspector/server.js';
import { makeWorkload } from '../../src/inspector/workloads.js';
import { decodeProfile } from '../../src/profile/pprof.js';

describe.skipIf(!hasChromium)('inspector page in chromium', () => {
  const heap = new Heap({ maxBytes: 256 << 20 });
  let inspector: Inspector;
  let context: BrowserContext;
  let page: Page;
  let running = true;
  let workloadDone: Promise<void>;

  beforeAll(async () => {
    inspector = await serveInspector(heap, { log: null, sampleMs: 100 });
    const w = makeWorkload('churn', heap, { steps: 1e9, seed: 3, live: 20_000 });
    workloadDone = (async () => {
      while (running) {
        w.run(1000);
        await new Promise((r) => setImmediate(r));
      }
    })();
    context = await launchChromium();
    page = await context.newPage();
  });

  afterAll(async () => {
    running = false;
    await workloadDone;
    await context?.close();
    await inspector?.close();
  });

  const ticks = async () => Number(await page.evaluate(() => document.body.dataset.ticks ?? '0'));
  const waitTicks = async (n: number) => {
    const start = await ticks();
    await page.waitForFunction((t) => Number(document.body.dataset.ticks ?? '0') >= t, start + n, { timeout: 20_000 });
  };

  it('loads, and the curves advance while the workload runs', async () => {
    await page.goto(inspector.url);
    await waitTicks(1);
    const pointsBefore = Number(await page.getAttribute('#points', 'data-points'));
    await page.waitForTimeout(1500);
    await waitTicks(1);
    const pointsAfter = Number(await page.getAttribute('#points', 'data-points'));
    expect(pointsAfter).toBeGreaterThan(pointsBefore + 3);
    const allocs: number[] = await page.evaluate(
      () => (window as unknown as { points: { HeapAlloc: number }[] }).points?.map((p) => p.HeapAlloc) ?? [],
    );
    expect(new Set(allocs).size).toBeGreaterThan(1); // the heap moved while we watched
  });

  it("shows the heap's real numbers in the stats, the class table and the page map", async () => {
    running = false;
    await workloadDone;
    await waitTicks(2); // two polls after the last allocation
    const st = heap.readMemStats();
    const value = async (id: string) => Number(await page.getAttribute(`#${id}`, 'data-value'));
    expect(await value('HeapAlloc')).toBe(st.HeapAlloc);
    expect(await value('HeapInuse')).toBe(st.HeapInuse);
    expect(await value('HeapSys')).toBe(st.HeapSys);
    expect(await value('HeapObjects')).toBe(st.HeapObjects);
    // Class table rows against MemStats.BySize (classes up to 60, as Go reports them).
    const rows = await page.$$eval('#classes tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent))),
    );
    expect(rows.length).toBeGreaterThan(10);
    for (const [cls, size, , objects, bytes] of rows) {
      if (cls! > 60) continue;
      expect(size).toBe(st.BySize[cls!]!.Size);
      expect(objects).toBe(st.BySize[cls!]!.Mallocs - st.BySize[cls!]!.Frees);
      expect(bytes).toBe(objects! * size!);
    }
    // Page map: every mapped page drawn; pages in spans add up to HeapInuse.
    const mapped = Number(await page.getAttribute('#page-summary', 'data-mapped-pages'));
    const inuse = Number(await page.getAttribute('#page-summary', 'data-inuse-pages'));
    expect(mapped * 8192).toBe(st.Sys);
    expect(inuse * 8192).toBe(st.HeapInuse);
    const shot = process.env.GOMEM_ARTIFACTS ?? join(tmpdir(), 'gomem-artifacts');
    mkdirSync(shot, { recursive: true });
    await page.screenshot({ path: join(shot, 'inspector.png'), fullPage: true });
  });

  it('hovering the page map names a page, and the download is a heap profile', async () => {
    const box = (await page.locator('#pagemap').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 2);
    await expect.poll(() => page.textContent('#pageinfo')).toMatch(/^page \d+ @ \d+: /);
    const res = await page.request.get(new URL('heap.pb.gz', inspector.url).href);
    expect(res.status()).toBe(200);
    const p = decodeProfile(new Uint8Array(await res.body()));
    expect(p.sampleTypes.map((t) => t.type)).toEqual(['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']);
    expect(p.samples.length).toBeGreaterThan(0);
  });

  it('clicking a collected object on the page map shows its retainer path', async () => {
    const malloced = heap.malloc(100);
    const Cache = heap.defineType({ name: 'main.SessionCache', size: 16, pointers: [8] });
    const Session = heap.defineType({ name: 'main.Session', size: 24, pointers: [16] });
    const { cache, session } = heap.scope(() => {
      const cache = heap.new(Cache);
      const session = heap.new(Session);
      heap.storePointer(cache, 8, session);
      return { cache, session };
    });
    const root = heap.root(cache);
    heap.gc();
    await waitTicks(1);
    // Clicks the page holding addr, and clicks again if a refresh of the map (new geometry) between
    // reading it and clicking sent the click to another page: #pageinfo names the page shown.
    const clickPage = async (addr: number) => {
      const pg = addr >>> 13;
      for (let attempt = 0; ; attempt++) {
        const box = (await page.locator('#pagemap').boundingBox())!;
        const scale = Number(await page.getAttribute('#pagemap', 'data-scale'));
        const cols = Number(await page.getAttribute('#pagemap', 'data-cols'));
        await page.mouse.click(
          box.x + (pg % cols) * scale + scale / 2,
          box.y + Math.floor(pg / cols) * scale + scale / 2,
        );
        try {
          await page.waitForFunction(
            (want) => document.querySelector('#pageinfo')?.textContent?.startsWith(want) === true,
            `page ${pg} @`,
            { timeout: 3_000 },
          );
          return;
        } catch (err) {
          if (attempt === 3) throw err;
        }
      }
    };
    await clickPage(session);
    const button = page.locator(`button.obj[data-obj="${session}"]`);
    await button.waitFor({ timeout: 10_000 });
    expect(await button.textContent()).toMatch(/^main\.Session @0x/);
    await button.click();
    await expect
      .poll(() => page.textContent('#retainers'))
      .toMatch(/^retained by: root handle #\d+ → main\.SessionCache@0x[0-9a-f]+ \+8 → main\.Session@0x/);
    const shot = process.env.GOMEM_ARTIFACTS ?? join(tmpdir(), 'gomem-artifacts');
    await page.screenshot({ path: join(shot, 'inspector-retainers.png'), fullPage: true });
    // malloc'd memory is untyped: listed, but it has no retainers to show.
    await clickPage(malloced);
    const untyped = page.locator(`button.obj[data-obj="${malloced}"]`);
    await untyped.waitFor({ timeout: 10_000 });
    await untyped.click();
    await expect.poll(() => page.textContent('#retainers')).toMatch(/^no retainer path: .*not/);
    root.release();
  });

  it('answers bad requests with errors, not crashes', async () => {
    expect((await page.request.get(new URL('api/state?client=<x>', inspector.url).href)).status()).toBe(400);
    expect((await page.request.get(new URL('nope', inspector.url).href)).status()).toBe(404);
  });
});
