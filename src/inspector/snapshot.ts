// What the inspector shows of a heap, read straight from the heap's buffer: a map of its pages, the
// size-class table, the MemStats curves' next point, the top allocation sites. Browser-safe (no Node
// APIs), so a page could also compute it from a heap it holds itself.
//
// The page map is two bytes per mapped page — a kind, and the occupancy (0–255) of the span the page
// belongs to — so that the server can send only the pages that changed since a client's last look:
//   kind 0 unmapped · 1 metadata · 2 free, released (never touched) · 3 free, idle · 4 span records
//        5 large object · 6 collected large object · 8+c small span of size class c · 80+c collected
// Occupancy is live objects / slots; a span cached by a P counts the slots it reserved as in use.

import {
  H_MAPPED_PAGES,
  S_ALLOC_BITS,
  S_BASE,
  S_ELEMSIZE,
  S_FREEINDEX,
  S_NELEMS,
  S_NPAGES,
  S_SPANCLASS,
  S_STATE,
  SPAN_IN_USE,
  SPAN_MANUAL,
} from '../runtime/layout.js';
import type { Heap } from '../runtime/heap.js';
import { liveCount, slotIsLive } from '../runtime/mspan.js';
import { NUM_SIZE_CLASSES, classToSize, classToPages, PAGE_SIZE } from '../runtime/sizeclasses.js';
import { sumCounters } from '../runtime/stats.js';
import { scaleHeapSample } from '../profile/pprof.js';

export const KIND_UNMAPPED = 0;
export const KIND_META = 1;
export const KIND_RELEASED = 2;
export const KIND_IDLE = 3;
export const KIND_SPAN_RECORDS = 4;
export const KIND_LARGE = 5;
export const KIND_GC_LARGE = 6;
export const KIND_SMALL = 8;
export const KIND_GC_SMALL = 80;
const GC_TAG = 1 << 31;

export interface ClassRow {
  class: number;
  size: number;
  /** Spans of this class in use (malloc and collected). */
  spans: number;
  /** Objects in use: allocated minus freed, from the same counters as MemStats. */
  objects: number;
  bytes: number;
  /** Bytes of this class's spans not holding objects: free slots and each span's tail. */
  waste: number;
}

export interface PageMap {
  /** [kind, occupancy] per page, for pages 0..mappedPages-1. */
  pages: Uint8Array;
  mappedPages: number;
  /** Small-object spans seen, by class (collected ones included). */
  spansByClass: Int32Array;
  largeSpans: number;
  largeBytes: number;
}

function isReleased(heap: Heap, page: number): boolean {
  return ((heap.i32[heap.scavWord + (page >>> 5)]! >>> (page & 31)) & 1) !== 0;
}

/**
 * Objects of a collected span: handed out as of its last sweep (allocBits) or since (below freeindex).
 * Its mark bits only mean something during a cycle, so liveCount would read 0 between cycles.
 */
function handedOut(heap: Heap, s: number): number {
  const i32 = heap.i32;
  const nelems = i32[s + S_NELEMS]!;
  const freeindex = i32[s + S_FREEINDEX]!;
  let n = 0;
  for (let lo = 0; lo < nelems; lo += 32) {
    let bits = i32[s + S_ALLOC_BITS + 2 * (lo >>> 5)]!;
    if (freeindex > lo) bits |= freeindex - lo >= 32 ? -1 : (1 << (freeindex - lo)) - 1;
    if (nelems - lo < 32) bits &= (1 << (nelems - lo)) - 1;
    for (; bits !== 0; bits &= bits - 1) n++;
  }
  return n;
}

/** Walks the spans table once: every mapped page's kind and occupancy. */
export function pageMap(heap: Heap): PageMap {
  heap.refreshViews();
  const i32 = heap.i32;
  const mapped = i32[H_MAPPED_PAGES]!;
  const pages = new Uint8Array(mapped * 2);
  const spansByClass = new Int32Array(NUM_SIZE_CLASSES);
  let largeSpans = 0;
  let largeBytes = 0;
  for (let page = 0; page < mapped;) {
    if (page < heap.metaPages) {
      pages[page * 2] = KIND_META;
      page++;
      continue;
    }
    const s = i32[heap.spansWord + page]!;
    const state = s === 0 ? 0 : i32[s + S_STATE]!;
    const base = s === 0 ? -1 : heap.u32[s + S_BASE]! / PAGE_SIZE;
    const npages = s === 0 ? 0 : i32[s + S_NPAGES]!;
    if (s === 0 || (state !== SPAN_IN_USE && state !== SPAN_MANUAL) || page < base || page >= base + npages) {
      pages[page * 2] = isReleased(heap, page) ? KIND_RELEASED : KIND_IDLE;
      page++;
      continue;
    }
    let kind: number;
    let occupancy = 255;
    if (state === SPAN_MANUAL) {
      kind = KIND_SPAN_RECORDS;
    } else {
      const raw = i32[s + S_SPANCLASS]!;
      const collected = (raw & GC_TAG) !== 0;
      const cls = (raw & ~GC_TAG) >>> 1;
      if (cls === 0) {
        kind = collected ? KIND_GC_LARGE : KIND_LARGE;
        largeSpans++;
        largeBytes += npages * PAGE_SIZE;
      } else {
        kind = (collected ? KIND_GC_SMALL : KIND_SMALL) + cls;
        spansByClass[cls]!++;
        const live = collected ? handedOut(heap, s) : liveCount(heap, s);
        occupancy = Math.round((255 * live) / i32[s + S_NELEMS]!);
      }
    }
    for (let k = page; k < base + npages; k++) {
      pages[k * 2] = kind;
      pages[k * 2 + 1] = occupancy;
    }
    page = base + npages;
  }
  return { pages, mappedPages: mapped, spansByClass, largeSpans, largeBytes };
}

/** The size-class table: spans from the page walk, objects from the allocator's own counters. */
export function classTable(heap: Heap, map: PageMap): ClassRow[] {
  const c = sumCounters(heap);
  const rows: ClassRow[] = [];
  for (let k = 1; k < NUM_SIZE_CLASSES; k++) {
    const spans = map.spansByClass[k]!;
    const objects = c.smallAlloc[k]! - c.smallFree[k]!;
    if (spans === 0 && objects === 0) continue;
    const bytes = objects * classToSize[k]!;
    rows.push({
      class: k,
      size: classToSize[k]!,
      spans,
      objects,
      bytes,
      waste: Math.max(0, spans * classToPages[k]! * PAGE_SIZE - bytes),
    });
  }
  return rows;
}

/** Pages whose [kind, occupancy] changed, as flat [page, kind, occupancy, …]; null if more than a quarter did. */
export function pageChanges(prev: Uint8Array, next: Uint8Array): number[] | null {
  const out: number[] = [];
  const limit = next.length / 8; // a quarter of the pages, three numbers each
  for (let i = 0; i < next.length; i += 2) {
    if (prev[i] === next[i] && prev[i + 1] === next[i + 1]) continue;
    out.push(i >>> 1, next[i]!, next[i + 1]!);
    if (out.length / 3 > limit) return null;
  }
  return out;
}

export interface AllocationSite {
  function: string;
  location: string;
  objectSize: number;
  /** Unsampled estimates, as the pprof file has them. */
  inuseBytes: number;
  inuseObjects: number;
  allocBytes: number;
  allocObjects: number;
}

/**
 * The heap profile's allocating lines, largest in-use first (ties: most allocated). Go's buckets are
 * per (stack, object size); here one line's buckets are summed, objectSize being their average.
 */
export function topSites(heap: Heap, limit = 15): AllocationSite[] {
  const rate = heap.memProfile?.rate ?? 0;
  const byLine = new Map<string, AllocationSite>();
  for (const site of heap.memProfileRecords().map((r) => {
    const [allocObjects, allocBytes] = scaleHeapSample(r.allocObjects, r.allocBytes, rate);
    const [inuseObjects, inuseBytes] = scaleHeapSample(
      r.allocObjects - r.freeObjects,
      r.allocBytes - r.freeBytes,
      rate,
    );
    const leaf = r.stack[0];
    return {
      function: leaf?.function ?? '(unknown)',
      location: leaf ? `${leaf.file.split('/').slice(-2).join('/')}:${leaf.line}` : '',
      objectSize: r.objectSize,
      inuseBytes,
      inuseObjects,
      allocBytes,
      allocObjects,
    };
  })) {
    const key = `${site.function}\n${site.location}`;
    const sum = byLine.get(key);
    if (sum === undefined) {
      byLine.set(key, site);
      continue;
    }
    sum.inuseBytes += site.inuseBytes;
    sum.inuseObjects += site.inuseObjects;
    sum.allocBytes += site.allocBytes;
    sum.allocObjects += site.allocObjects;
    sum.objectSize = sum.allocObjects > 0 ? Math.round(sum.allocBytes / sum.allocObjects) : 0;
  }
  return [...byLine.values()]
    .sort((a, b) => b.inuseBytes - a.inuseBytes || b.allocBytes - a.allocBytes)
    .slice(0, limit);
}

export interface ObjectOnPage {
  address: number;
  size: number;
  /** The collected object's type name; null for malloc'd memory (untyped). */
  type: string | null;
}

/**
 * Live objects overlapping `page` (a large object's every page lists it), for the page's object list.
 * The list is of the clicked page, not its whole span: a span of several pages would otherwise show
 * its first page's objects whatever page was clicked. The default limit is a page's worth of the
 * smallest class (8 KiB / 8 B), so nothing is left out; `more` counts what a smaller limit cut.
 */
export function objectsOnPage(
  heap: Heap,
  page: number,
  limit = PAGE_SIZE / 8,
): { span: number; objects: ObjectOnPage[]; more: number } {
  heap.refreshViews();
  const i32 = heap.i32;
  const none = { span: 0, objects: [], more: 0 };
  if (page >= i32[H_MAPPED_PAGES]! || page < heap.metaPages) return none;
  const s = i32[heap.spansWord + page]!;
  if (s === 0 || i32[s + S_STATE] !== SPAN_IN_USE) return none;
  const base = heap.u32[s + S_BASE]!;
  const npages = i32[s + S_NPAGES]!;
  if (page < base / PAGE_SIZE || page >= base / PAGE_SIZE + npages) return none;
  const collected = (i32[s + S_SPANCLASS]! & GC_TAG) !== 0;
  const size = i32[s + S_ELEMSIZE]!;
  const pageStart = page * PAGE_SIZE - base;
  const first = Math.floor(pageStart / size);
  const end = Math.min(i32[s + S_NELEMS]!, Math.ceil((pageStart + PAGE_SIZE) / size));
  const objects: ObjectOnPage[] = [];
  let more = 0;
  for (let idx = first; idx < end; idx++) {
    const address = base + idx * size;
    let type: string | null = null;
    if (collected) {
      try {
        type = heap.collector.typeOf(address).name;
      } catch {
        continue; // not live
      }
    } else if (!slotIsLive(heap, s, idx)) continue;
    if (objects.length < limit) objects.push({ address, size, type });
    else more++;
  }
  return { span: s, objects, more };
}
