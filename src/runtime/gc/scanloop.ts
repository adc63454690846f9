// The scan loop of marking (Go's scanobject + greyobject), in two copies: scanLoop for a thread that
// marks alone, and scanLoopAtomic for when a background mark worker may be marking at the same time
// (mark bits set with Atomics.or; pointer fields read with Atomics.load, pairing with storePointer's
// Atomics.store). They differ only in those two lines; they are separate functions because the
// atomic operations, even on a branch not taken, keep V8 from optimizing the plain loop as well
// (about 10 % of marking time).
//
// Each pops an object from the local buffer, finds its type (per-slot type id of a small scan span,
// or the large span's type), and for every non-nil pointer field marks the target's slot; a target
// that was white and has pointers is pushed on the local buffer.

import { S_BASE, S_DIVMUL, S_ELEMSIZE, S_GC_TYPES, S_MARK_BITS, S_SPANCLASS } from '../layout.js';
import type { HeapState } from '../state.js';
import type { GcWork } from './mark.js';
import type { TypeInfo } from './types.js';

const TWO_TO_MINUS_32 = 2 ** -32;

export function scanLoop(
  h: HeapState,
  types: (TypeInfo | undefined)[],
  resolve: (id: number) => TypeInfo,
  w: GcWork,
  budget: number,
): number {
  const i32 = h.i32;
  const u32 = h.u32;
  const u16 = h.u16;
  const spans = h.spansWord;
  let buf = w.buf;
  let n = w.n;
  let work = 0;
  let marked = 0;
  // The last span looked up, for scanned objects and for their targets: neighbours in memory (a
  // parent and the children allocated right after it) mostly share a span. Span records of GC spans
  // do not change during marking (only sweeping frees spans).
  let ss = -1;
  let sSmall = false;
  let sBase = 0;
  let sDiv = 0;
  let sTypes = 0;
  let qs = -1;
  let qSpc = 0;
  let qBase = 0;
  let qDiv = 0;
  let qElem = 0;
  while (n > 0 && work < budget) {
    const b = buf[--n]!;
    const s = i32[spans + (b >>> 13)]!;
    if (s !== ss) {
      ss = s;
      sSmall = (i32[s + S_SPANCLASS]! & 0xff) > 1;
      sBase = u32[s + S_BASE]!;
      sDiv = u32[s + S_DIVMUL]!;
      sTypes = i32[s + S_GC_TYPES]!;
    }
    const tid = sSmall ? u16[sTypes + Math.floor((b - sBase) * sDiv * TWO_TO_MINUS_32)]! : sTypes;
    const t = types[tid] ?? resolve(tid);
    const offs = t.offs;
    const nptr = offs.length;
    const size = t.size;
    const step = t.elemSize;
    for (let e = 0; e < size; e += step) {
      const ew = (b + e) >>> 2;
      for (let k = 0; k < nptr; k++) {
        const q = u32[ew + (offs[k]! >>> 2)]!;
        if (q === 0) continue;
        const r = i32[spans + (q >>> 13)]!;
        if (r !== qs) {
          qs = r;
          qSpc = i32[r + S_SPANCLASS]! & 0xff;
          qBase = u32[r + S_BASE]!;
          qDiv = u32[r + S_DIVMUL]!;
          qElem = i32[r + S_ELEMSIZE]!;
        }
        let qi = 0;
        let qb = qBase;
        if (qSpc > 1) {
          qi = Math.floor((q - qBase) * qDiv * TWO_TO_MINUS_32);
          qb += qi * qElem;
        }
        const at = r + S_MARK_BITS + 2 * (qi >>> 5);
        const bit = 1 << (qi & 31);
        const word = i32[at]!;
        if ((word & bit) !== 0) continue;
        i32[at] = word | bit;
        marked += qElem;
        if ((qSpc & 1) !== 0) continue;
        if (n === buf.length) {
          w.n = n;
          w.reserve(1);
          buf = w.buf;
        }
        buf[n++] = qb;
      }
    }
    work += size;
  }
  w.n = n;
  w.bytesMarked += marked;
  return work;
}

/** scanLoop with atomic mark bits and field loads (see the file comment). */
export function scanLoopAtomic(
  h: HeapState,
  types: (TypeInfo | undefined)[],
  resolve: (id: number) => TypeInfo,
  w: GcWork,
  budget: number,
): number {
  const i32 = h.i32;
  const u32 = h.u32;
  const u16 = h.u16;
  const spans = h.spansWord;
  let buf = w.buf;
  let n = w.n;
  let work = 0;
  let marked = 0;
  // The last span looked up, for scanned objects and for their targets: neighbours in memory (a
  // parent and the children allocated right after it) mostly share a span. Span records of GC spans
  // do not change during marking (only sweeping frees spans).
  let ss = -1;
  let sSmall = false;
  let sBase = 0;
  let sDiv = 0;
  let sTypes = 0;
  let qs = -1;
  let qSpc = 0;
  let qBase = 0;
  let qDiv = 0;
  let qElem = 0;
  while (n > 0 && work < budget) {
    const b = buf[--n]!;
    const s = i32[spans + (b >>> 13)]!;
    if (s !== ss) {
      ss = s;
      sSmall = (i32[s + S_SPANCLASS]! & 0xff) > 1;
      sBase = u32[s + S_BASE]!;
      sDiv = u32[s + S_DIVMUL]!;
      sTypes = i32[s + S_GC_TYPES]!;
    }
    const tid = sSmall ? u16[sTypes + Math.floor((b - sBase) * sDiv * TWO_TO_MINUS_32)]! : sTypes;
    const t = types[tid] ?? resolve(tid);
    const offs = t.offs;
    const nptr = offs.length;
    const size = t.size;
    const step = t.elemSize;
    for (let e = 0; e < size; e += step) {
      const ew = (b + e) >>> 2;
      for (let k = 0; k < nptr; k++) {
        const q = Atomics.load(u32, ew + (offs[k]! >>> 2));
        if (q === 0) continue;
        const r = i32[spans + (q >>> 13)]!;
        if (r !== qs) {
          qs = r;
          qSpc = i32[r + S_SPANCLASS]! & 0xff;
          qBase = u32[r + S_BASE]!;
          qDiv = u32[r + S_DIVMUL]!;
          qElem = i32[r + S_ELEMSIZE]!;
        }
        let qi = 0;
        let qb = qBase;
        if (qSpc > 1) {
          qi = Math.floor((q - qBase) * qDiv * TWO_TO_MINUS_32);
          qb += qi * qElem;
        }
        const at = r + S_MARK_BITS + 2 * (qi >>> 5);
        const bit = 1 << (qi & 31);
        if ((Atomics.or(i32, at, bit) & bit) !== 0) continue;
        marked += qElem;
        if ((qSpc & 1) !== 0) continue;
        if (n === buf.length) {
          w.n = n;
          w.reserve(1);
          buf = w.buf;
        }
        buf[n++] = qb;
      }
    }
    work += size;
  }
  w.n = n;
  w.bytesMarked += marked;
  return work;
}
