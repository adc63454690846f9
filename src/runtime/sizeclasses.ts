// Size classes: the 67 object sizes a small allocation is rounded up to, Go 1.19's table.
//
// Go ships its table as generated literals; we run the generator's rules at module load instead, so
// the table can be checked against Go's (test/sizeclasses.test.ts does, with the TSV Go's generator
// printed). The rules, in our words:
//
//   1. Walk candidate sizes from 8 to 32768. The step grows with the size, re-chosen at each power of
//      two: 8 below 32 bytes (which is why 24 exists), 16 from 32, size/8 from 128, 256 from 2048.
//   2. For each candidate, take the fewest 8 KiB pages whose leftover after packing whole objects is at
//      most 1/8 of the span.
//   3. When the previous class uses the same number of pages and packs the same number of objects, the
//      candidate replaces it: only the largest size for a (pages, count) pair survives.
//   4. Finally grow each class to floor(spanBytes / count) rounded down to a multiple of 128 when that is
//      larger (8448 becomes 9472: still 6 objects in 7 pages).
//
// Lookup is Go's two tables: sizes up to 1024 by steps of 8, then up to 32768 by steps of 128, each
// entry holding the smallest class whose size covers the entry's size.

export const PAGE_SHIFT = 13;
export const PAGE_SIZE = 1 << PAGE_SHIFT; // 8 KiB, the runtime's page (not the OS page)
export const MAX_SMALL_SIZE = 32768; // larger requests get a span of their own
export const TINY_SIZE = 16; // noscan requests below this share 16-byte blocks
export const TINY_SIZE_CLASS = 2;
export const NUM_SIZE_CLASSES = 68; // 67 real classes plus class 0, "large object span"
export const NUM_SPAN_CLASSES = NUM_SIZE_CLASSES << 1;
export const TINY_SPAN_CLASS = (TINY_SIZE_CLASS << 1) | 1;

const SMALL_SIZE_DIV = 8;
const SMALL_SIZE_MAX = 1024;
const LARGE_SIZE_DIV = 128;

export interface SizeClass {
  /** Class number, 1..67. */
  class: number;
  /** Bytes per object: every request this class serves is rounded up to it. */
  size: number;
  /** Pages per span of this class. */
  pages: number;
  /** Objects per span. */
  objects: number;
}

function isPowerOfTwo(n: number): boolean {
  return (n & (n - 1)) === 0;
}

function generate(): { size: number; pages: number }[] {
  const classes = [{ size: 0, pages: 0 }];
  let align = 8;
  for (let size = align; size <= MAX_SMALL_SIZE; size += align) {
    if (isPowerOfTwo(size)) {
      if (size >= 2048) align = 256;
      else if (size >= 128) align = size / 8;
      else if (size >= 32) align = 16;
    }
    let spanBytes = PAGE_SIZE;
    while (spanBytes % size > Math.floor(spanBytes / 8)) spanBytes += PAGE_SIZE;
    const pages = spanBytes / PAGE_SIZE;
    const prev = classes[classes.length - 1]!;
    if (
      classes.length > 1 &&
      prev.pages === pages &&
      Math.floor(spanBytes / size) === Math.floor(spanBytes / prev.size)
    ) {
      prev.size = size;
      continue;
    }
    classes.push({ size, pages });
  }
  for (let i = 1; i < classes.length; i++) {
    const c = classes[i]!;
    const spanBytes = c.pages * PAGE_SIZE;
    const grown = Math.floor(spanBytes / Math.floor(spanBytes / c.size)) & ~(LARGE_SIZE_DIV - 1);
    if (grown > c.size) c.size = grown;
  }
  if (classes.length !== NUM_SIZE_CLASSES) {
    throw new Error(`size-class generator produced ${classes.length} classes, want ${NUM_SIZE_CLASSES}`);
  }
  return classes;
}

const generated = generate();

/** Object size of each class, index = class (class_to_size). */
export const classToSize = Int32Array.from(generated, (c) => c.size);
/** Pages per span of each class (class_to_allocnpages). */
export const classToPages = Int32Array.from(generated, (c) => c.pages);
/** Objects per span of each class. */
export const classToObjects = Int32Array.from(generated, (c) =>
  c.size === 0 ? 0 : Math.floor((c.pages * PAGE_SIZE) / c.size),
);
/**
 * Multiplier that turns a byte offset inside a span into an object index without dividing:
 * index = floor(offset * divMul / 2^32). Exact for every offset in a span of its class (the test
 * proves it), and the product stays below 2^53, so a double multiply is exact.
 */
export const classToDivMul = Float64Array.from(generated, (c) =>
  c.size === 0 ? 0 : Math.floor(0xffffffff / c.size) + 1,
);

/**
 * A cheaper multiplier for free's fast path, which only needs the index of an offset that *is* an
 * object start (any other offset fails its `index * size === offset` check whatever index it gets):
 * index = (offset * divExact) >>> 17. Exact for every object start because every span is under
 * 2^17 bytes (the test proves both), and the product stays below 2^31, so it is int32 arithmetic.
 */
export const DIV_EXACT_SHIFT = 17;
export const classToDivExact = Int32Array.from(generated, (c) =>
  c.size === 0 ? 0 : Math.ceil(2 ** DIV_EXACT_SHIFT / c.size),
);

/** size_to_class8: entry i serves sizes up to i*8 bytes. */
export const sizeToClass8 = new Uint8Array(SMALL_SIZE_MAX / SMALL_SIZE_DIV + 1);
/** size_to_class128: entry i serves sizes up to 1024 + i*128 bytes. */
export const sizeToClass128 = new Uint8Array((MAX_SMALL_SIZE - SMALL_SIZE_MAX) / LARGE_SIZE_DIV + 1);

{
  let cls = 1;
  for (let i = 0; i < sizeToClass8.length; i++) {
    while (classToSize[cls]! < i * SMALL_SIZE_DIV) cls++;
    sizeToClass8[i] = i === 0 ? 0 : cls;
  }
  cls = 1;
  for (let i = 0; i < sizeToClass128.length; i++) {
    while (classToSize[cls]! < SMALL_SIZE_MAX + i * LARGE_SIZE_DIV) cls++;
    sizeToClass128[i] = cls;
  }
}

/**
 * Go's size class for a request of n bytes: 0 for n = 0 and for n > 32768 (a large object).
 * Expects a non-negative integer; the heap validates user input before it gets here.
 */
export function sizeToClass(n: number): number {
  if (n <= SMALL_SIZE_MAX - SMALL_SIZE_DIV) return sizeToClass8[(n + SMALL_SIZE_DIV - 1) >>> 3]!;
  if (n <= MAX_SMALL_SIZE) return sizeToClass128[(n - SMALL_SIZE_MAX + LARGE_SIZE_DIV - 1) >>> 7]!;
  return 0;
}

/** Go's roundupsize: the bytes an allocation of n really takes (a class size, or whole pages). */
export function roundUpSize(n: number): number {
  if (n <= MAX_SMALL_SIZE) return classToSize[sizeToClass(n)]!;
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** The public table, classes 1..67. */
export const sizeClasses: readonly SizeClass[] = Object.freeze(
  generated.slice(1).map((c, i) =>
    Object.freeze({
      class: i + 1,
      size: c.size,
      pages: c.pages,
      objects: Math.floor((c.pages * PAGE_SIZE) / c.size),
    }),
  ),
);
