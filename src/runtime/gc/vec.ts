// Growable int32 vectors kept in heap pages, for collector state that must live in the buffer (type
// records, root handles, the grey queue, finalizer records, scope stacks).
//
// A vector is described by three words wherever its owner keeps them: [data word index, length,
// capacity]. Its data sits in a manual span (Go's off-heap memory for runtime structures): taken from
// mheap like any span, then marked SPAN_MANUAL, so no pointer check accepts an address inside it and
// the collector never sweeps it. Growth doubles into a new span and frees the old one; since growth can
// also grow the buffer, callers re-read the heap's views after a push.

import { OutOfMemoryError } from '../errors.js';
import { PAGE_SIZE, SPAN_MANUAL, S_STATE } from '../layout.js';
import { allocSpan, freeSpan } from '../mheap.js';
import type { HeapState } from '../state.js';

const V_DATA = 0;
const V_LEN = 1;
const V_CAP = 2;

/** A zeroed manual span of at least `words` words; returns its first word index. */
export function allocManual(h: HeapState, words: number): number {
  const npages = Math.max(1, Math.ceil((words * 4) / PAGE_SIZE));
  const s = allocSpan(h, npages, 1);
  if (s === 0) throw new OutOfMemoryError(words * 4, h.byteLength, h.maxPages * PAGE_SIZE);
  const i32 = h.i32;
  i32[s + S_STATE] = SPAN_MANUAL;
  const base = h.u32[s]! >>> 2;
  i32.fill(0, base, base + npages * (PAGE_SIZE >>> 2));
  return base;
}

export function freeManual(h: HeapState, word: number): void {
  const s = h.i32[h.spansWord + ((word << 2) >>> 13)]!;
  freeSpan(h, s);
}

export function vecLen(h: HeapState, d: number): number {
  return h.i32[d + V_LEN]!;
}

export function vecData(h: HeapState, d: number): number {
  return h.i32[d + V_DATA]!;
}

/** Makes room for `extra` more words; returns the data word index (which may have moved). */
export function vecReserve(h: HeapState, d: number, extra: number): number {
  const i32 = h.i32;
  const len = i32[d + V_LEN]!;
  const cap = i32[d + V_CAP]!;
  if (len + extra <= cap) return i32[d + V_DATA]!;
  const newCap = Math.max(2048, cap * 2, len + extra);
  const data = allocManual(h, newCap);
  const v = h.i32; // the buffer may have grown
  const old = v[d + V_DATA]!;
  if (old !== 0) {
    v.copyWithin(data, old, old + len);
    freeManual(h, old);
  }
  v[d + V_DATA] = data;
  v[d + V_CAP] = Math.floor((Math.max(1, Math.ceil((newCap * 4) / PAGE_SIZE)) * PAGE_SIZE) / 4);
  return data;
}

export function vecPush(h: HeapState, d: number, value: number): void {
  const data = vecReserve(h, d, 1);
  const i32 = h.i32;
  const len = i32[d + V_LEN]!;
  i32[data + len] = value;
  i32[d + V_LEN] = len + 1;
}

export function vecSetLen(h: HeapState, d: number, len: number): void {
  h.i32[d + V_LEN] = len;
}
