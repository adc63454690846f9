// The inspector's object list for a clicked page (snapshot.objectsOnPage), without a browser: every
// live object overlapping the page is listed, whatever its slot in the span, and only those.
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';
import { objectsOnPage } from '../../src/inspector/snapshot.js';
import { PAGE_SIZE } from '../../src/runtime/sizeclasses.js';

const pageOf = (addr: number) => Math.floor(addr / PAGE_SIZE);

describe('objectsOnPage', () => {
  it('lists every live object of a full one-page span, the last slot too', () => {
    const heap = new Heap({ maxBytes: 64 << 20 });
    const ptrs = Array.from({ length: 200 }, () => heap.malloc(100)); // class 112: 73 per span
    const last = ptrs.find((p) => ptrs.filter((q) => pageOf(q) === pageOf(p)).length === 73)!;
    const onPage = ptrs.filter((p) => pageOf(p) === pageOf(last)).sort((a, b) => a - b);
    const list = objectsOnPage(heap, pageOf(last));
    expect(list.objects.map((o) => o.address)).toEqual(onPage);
    expect(list.objects.every((o) => o.size === 112 && o.type === null)).toBe(true);
    expect(list.more).toBe(0);
    heap.free(onPage[5]!);
    expect(objectsOnPage(heap, pageOf(last)).objects.map((o) => o.address)).toEqual(onPage.filter((_, i) => i !== 5));
    // A smaller limit cuts the list and says how much it left out.
    const cut = objectsOnPage(heap, pageOf(last), 10);
    expect(cut.objects.length).toBe(10);
    expect(cut.more).toBe(72 - 10);
  });

  it("lists the clicked page's objects of a span of several pages, not its first page's", () => {
    const heap = new Heap({ maxBytes: 64 << 20 });
    const ptrs = Array.from({ length: 11 }, () => heap.malloc(1400)); // class 1408: 11 per 2-page span
    const first = Math.min(...ptrs);
    const second = pageOf(first) + 1;
    // Objects overlapping the second page: those that end past its start.
    const want = ptrs.filter((p) => p + 1408 > second * PAGE_SIZE).sort((a, b) => a - b);
    expect(want.length).toBeGreaterThan(0);
    expect(objectsOnPage(heap, second).objects.map((o) => o.address)).toEqual(want);
    const onFirst = ptrs.filter((p) => pageOf(p) === pageOf(first)).sort((a, b) => a - b);
    expect(objectsOnPage(heap, pageOf(first)).objects.map((o) => o.address)).toEqual(onFirst);
  });

  it('lists a large object from each of its pages, and nothing for a page outside the heap', () => {
    const heap = new Heap({ maxBytes: 64 << 20 });
    const big = heap.malloc(5 * PAGE_SIZE);
    for (let pg = pageOf(big); pg < pageOf(big) + 5; pg++)
      expect(objectsOnPage(heap, pg).objects.map((o) => o.address)).toEqual([big]);
    expect(objectsOnPage(heap, 1 << 30)).toEqual({ span: 0, objects: [], more: 0 });
  });
});
