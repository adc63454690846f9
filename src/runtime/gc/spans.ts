// The collector's spans: its own mcentral (span sets per span class) and Go's sweep.
//
// Collected objects never share a span with malloc'd ones. A GC span is an ordinary mheap span whose
// S_SPANCLASS has GC_SPAN_TAG or-ed in (negative as an int32): malloc never caches it and free()'s fast
// path never accepts it, so manual objects can never be collected and collected ones never freed by
// hand, at no cost to the malloc/free fast paths. GC spans are listed here, never in the allocator's
// mcentrals (the allocator's page reclaimer therefore never sees them).
//
// Sweeping is exactly Go's sweepgen scheme (sg = H_SWEEPGEN, +2 at each mark termination):
//   span.sweepgen == sg-2  unswept    sg-1 being swept    sg swept    sg+3 swept and cached
// Each class has partial[2] and full[2] sets; partial[(sg/2)%2] is "swept", the other "unswept", so
// bumping sg turns every swept set into an unswept one with no list work. Sweeping a span copies its
// mark bits into its alloc bits (mspan.sweepSpan; Go swaps the bitmaps) and clears the mark bits.
// Spans are swept lazily: cacheSpan sweeps spans of the class it needs, and everything left is swept
// before the next cycle starts (sweep termination) or by heap.gc().
//
// A small scan span keeps a uint16 type id per slot at its end (Go 1.22 keeps heap bits there for
// small objects too), so it holds slightly fewer objects than Go's span of the same class.

import {
  GC_SPAN_TAG,
  G_CENTRAL,
  G_MCACHE,
  H_SWEEPGEN,
  PAGE_SIZE,
  PS_LARGE_FREE,
  PS_LARGE_FREE_COUNT,
  PS_SMALL_FREE,
  SPAN_HEADER_WORDS,
  S_ALLOC_BITS,
  S_ALLOC_CACHE,
  S_ALLOC_COUNT,
  S_BASE,
  S_ELEMSIZE,
  S_FREEINDEX,
  S_GC_TYPES,
  S_MARK_BITS,
  S_NELEMS,
  S_NEXT,
  S_NPAGES,
  S_PROFILED,
  S_SPANCLASS,
  S_SWEEPGEN,
  S_TINY_MASKS,
} from '../layout.js';
import { allocSpan, freeSpan } from '../mheap.js';
import { initBitmaps, nextFreeIndex, sweepSpan } from '../mspan.js';
import { NUM_SPAN_CLASSES, TINY_SPAN_CLASS, classToPages } from '../sizeclasses.js';
import type { HeapState } from '../state.js';

const PARTIAL = 0;
const FULL = 4;

/** Word of list (head, tail) `set` (PARTIAL/FULL + 0/2 by parity) of span class spc. */
function listWord(g: number, spc: number, set: number): number {
  return g + G_CENTRAL + spc * 8 + set;
}

function sweptSet(sg: number): number {
  return ((sg >>> 1) & 1) * 2;
}

function unsweptSet(sg: number): number {
  return (1 - ((sg >>> 1) & 1)) * 2;
}

function push(h: HeapState, w: number, s: number): void {
  const i32 = h.i32;
  i32[s + S_NEXT] = 0;
  const tail = i32[w + 1]!;
  if (tail === 0) i32[w] = s;
  else i32[tail + S_NEXT] = s;
  i32[w + 1] = s;
}

function pop(h: HeapState, w: number): number {
  const i32 = h.i32;
  const s = i32[w]!;
  if (s === 0) return 0;
  const next = i32[s + S_NEXT]!;
  i32[w] = next;
  if (next === 0) i32[w + 1] = 0;
  return s;
}

/** Where the per-slot type table of a small scan span starts (uint16 index), after shrinking nelems. */
function setupTypeTable(h: HeapState, s: number): void {
  const i32 = h.i32;
  const bytes = i32[s + S_NPAGES]! * PAGE_SIZE;
  const elemsize = i32[s + S_ELEMSIZE]!;
  const n = Math.min(i32[s + S_NELEMS]!, Math.floor(bytes / (elemsize + 2)));
  i32[s + S_NELEMS] = n;
  initBitmaps(h, s);
  i32[s + S_GC_TYPES] = (h.u32[s + S_BASE]! + bytes - 2 * n) >>> 1;
}

/** A fresh GC span for span class spc (0 = out of memory), tagged and swept as of now. */
export function growGcSpan(h: HeapState, spc: number, npages: number): number {
  const s = allocSpan(h, npages, spc);
  if (s === 0) return 0;
  const i32 = h.i32;
  i32[s + S_SPANCLASS] = spc | GC_SPAN_TAG;
  if (spc > 1 && (spc & 1) === 0) setupTypeTable(h, s);
  return s;
}

/** Go's mcentral.cacheSpan for collected objects: a span of class spc with a free slot, or 0. */
export function gcCacheSpan(h: HeapState, g: number, spc: number): number {
  let sg = h.i32[H_SWEEPGEN]!;
  let s = pop(h, listWord(g, spc, PARTIAL + sweptSet(sg)));
  if (s === 0) {
    let budget = 100;
    // Partial spans from before the last cycle: still partial once swept.
    while (s === 0 && budget-- > 0) {
      const t = pop(h, listWord(g, spc, PARTIAL + unsweptSet(sg)));
      if (t === 0) break;
      if (h.i32[t + S_SWEEPGEN] !== sg - 2) continue;
      h.i32[t + S_SWEEPGEN] = sg - 1;
      if (sweepGcSpan(h, g, t, true)) s = t;
    }
    while (s === 0 && budget-- > 0) {
      const t = pop(h, listWord(g, spc, FULL + unsweptSet(sg)));
      if (t === 0) break;
      if (h.i32[t + S_SWEEPGEN] !== sg - 2) continue;
      h.i32[t + S_SWEEPGEN] = sg - 1;
      if (!sweepGcSpan(h, g, t, true)) continue;
      if (h.i32[t + S_ALLOC_COUNT]! < h.i32[t + S_NELEMS]!) s = t;
      else push(h, listWord(g, spc, FULL + sweptSet(sg)), t);
    }
  }
  if (s === 0) {
    s = growGcSpan(h, spc, classToPages[spc >>> 1]!);
    if (s === 0) return 0;
  }
  sg = h.i32[H_SWEEPGEN]!;
  h.i32[s + S_SWEEPGEN] = sg + 3;
  return s;
}

/** Go's uncacheSpan: the span goes back to its class's swept set. */
export function gcUncacheSpan(h: HeapState, g: number, s: number): void {
  const i32 = h.i32;
  const sg = i32[H_SWEEPGEN]!;
  const spc = i32[s + S_SPANCLASS]! & 0xff;
  i32[s + S_SWEEPGEN] = sg;
  const full = i32[s + S_ALLOC_COUNT]! >= i32[s + S_NELEMS]!;
  push(h, listWord(g, spc, (full ? FULL : PARTIAL) + sweptSet(sg)), s);
}

/** Lists a new large-object span as Go does: on its class's full swept set. */
export function gcListLarge(h: HeapState, g: number, s: number): void {
  const sg = h.i32[H_SWEEPGEN]!;
  h.i32[s + S_SWEEPGEN] = sg;
  push(h, listWord(g, h.i32[s + S_SPANCLASS]! & 0xff, FULL + sweptSet(sg)), s);
}

/** Uncaches every span of the GC mcache (Go's releaseAll at mark termination). */
export function gcReleaseMcache(h: HeapState, g: number): void {
  for (let spc = 0; spc < NUM_SPAN_CLASSES; spc++) {
    const s = h.i32[g + G_MCACHE + spc]!;
    if (s === 0) continue;
    h.i32[g + G_MCACHE + spc] = 0;
    gcUncacheSpan(h, g, s);
  }
}

/**
 * Sweeps span s, whose ownership the caller took (sweepgen sg-1). Unmarked objects are freed: the
 * span's mark bits become its alloc bits and are cleared. Unless `preserve` (the caller will allocate
 * from it), the span is listed as swept, or given back to mheap when nothing in it survived.
 * Returns false if the span went back to mheap.
 */
export function sweepGcSpan(h: HeapState, g: number, s: number, preserve: boolean): boolean {
  const i32 = h.i32;
  const sg = i32[H_SWEEPGEN]!;
  const spc = i32[s + S_SPANCLASS]! & 0xff;
  if (i32[s + S_PROFILED] !== 0) reportSampledFrees(h, s);
  if (spc <= 1) {
    if ((i32[s + S_MARK_BITS]! & 1) === 0) {
      h.f64[h.ps + PS_LARGE_FREE] += i32[s + S_NPAGES]! * PAGE_SIZE;
      h.f64[h.ps + PS_LARGE_FREE_COUNT]++;
      freeSpan(h, s);
      return false;
    }
    i32[s + S_MARK_BITS] = 0;
    if (h.shared)
      Atomics.store(i32, s + S_SWEEPGEN, sg); // after the bit, as below
    else i32[s + S_SWEEPGEN] = sg;
    if (!preserve) push(h, listWord(g, spc, FULL + sweptSet(sg)), s);
    return true;
  }
  const before = i32[s + S_ALLOC_COUNT]!;
  const nelems = i32[s + S_NELEMS]!;
  if (spc === TINY_SPAN_CLASS) clearFreedTinyMasks(h, s, nelems);
  sweepSpan(h, s);
  const words = (nelems + 31) >>> 5;
  for (let w = 0; w < words; w++) i32[s + S_MARK_BITS + 2 * w] = 0;
  const nalloc = i32[s + S_ALLOC_COUNT]!;
  if (before > nalloc) h.f64[h.ps + PS_SMALL_FREE + (spc >>> 1)] += before - nalloc;
  // Published after the bits: a thread checking an object here waits while it reads sg - 1 (objectSpan).
  if (h.shared) Atomics.store(i32, s + S_SWEEPGEN, sg);
  else i32[s + S_SWEEPGEN] = sg;
  if (preserve) return true;
  if (nalloc === 0) {
    freeSpan(h, s);
    return false;
  }
  push(h, listWord(g, spc, (nalloc === nelems ? FULL : PARTIAL) + sweptSet(sg)), s);
  return true;
}

/**
 * Before sweeping a span holding heap-profile samples: every object the sweep is about to free (handed
 * out — alloc bit set or below freeindex — and unmarked) is reported, so the profile counts the free.
 */
function reportSampledFrees(h: HeapState, s: number): void {
  const sink = h as unknown as { profileFree?: (p: number) => void };
  if (typeof sink.profileFree !== 'function') return;
  const i32 = h.i32;
  const nelems = i32[s + S_NELEMS]!;
  const freeindex = i32[s + S_FREEINDEX]!;
  const base = h.u32[s + S_BASE]!;
  const size = i32[s + S_ELEMSIZE]!;
  for (let idx = 0; idx < nelems; idx++) {
    const w = 2 * (idx >>> 5);
    const bit = 1 << (idx & 31);
    const handedOut = (i32[s + S_ALLOC_BITS + w]! & bit) !== 0 || idx < freeindex;
    if (handedOut && (i32[s + S_MARK_BITS + w]! & bit) === 0) sink.profileFree(base + idx * size);
  }
}

/** Before a tiny span's sweep: blocks about to be freed forget which sub-objects they held. */
function clearFreedTinyMasks(h: HeapState, s: number, nelems: number): void {
  const i32 = h.i32;
  const masks = i32[s + S_TINY_MASKS]!;
  for (let idx = 0; idx < nelems; idx++) {
    if ((i32[s + S_MARK_BITS + 2 * (idx >>> 5)]! & (1 << (idx & 31))) === 0) h.u16[masks + 2 * idx] = 0;
  }
}

/** Sweeps every unswept GC span (Go's sweep termination / the end of runtime.GC). Returns pages swept. */
export function gcSweepAll(h: HeapState, g: number): number {
  const sg = h.i32[H_SWEEPGEN]!;
  let pages = 0;
  for (let spc = 0; spc < NUM_SPAN_CLASSES; spc++) {
    for (const set of [PARTIAL, FULL]) {
      const w = listWord(g, spc, set + unsweptSet(sg));
      for (let s = pop(h, w); s !== 0; s = pop(h, w)) {
        if (h.i32[s + S_SWEEPGEN] !== sg - 2) continue;
        h.i32[s + S_SWEEPGEN] = sg - 1;
        pages += h.i32[s + S_NPAGES]!;
        sweepGcSpan(h, g, s, false);
      }
    }
  }
  return pages;
}

/** Whether the GC span s has an unswept set with spans left (any class). */
export function gcSweepPending(h: HeapState, g: number): boolean {
  const sg = h.i32[H_SWEEPGEN]!;
  for (let spc = 0; spc < NUM_SPAN_CLASSES; spc++) {
    if (h.i32[listWord(g, spc, PARTIAL + unsweptSet(sg))] !== 0) return true;
    if (h.i32[listWord(g, spc, FULL + unsweptSet(sg))] !== 0) return true;
  }
  return false;
}

/** The next free slot of cached span s, or -1 (Go's nextFreeIndex, on a GC span). */
export function gcNextFree(h: HeapState, s: number): number {
  const idx = nextFreeIndex(h, s);
  return idx === h.i32[s + S_NELEMS] ? -1 : idx;
}

export { S_ALLOC_BITS, S_ALLOC_CACHE, S_FREEINDEX, SPAN_HEADER_WORDS };
