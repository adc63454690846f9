import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sizeClasses, sizeToClass, roundUpSize } from '../../src/index.js';
import {
  DIV_EXACT_SHIFT,
  classToDivExact,
  classToDivMul,
  classToPages,
  classToSize,
} from '../../src/runtime/sizeclasses.js';

const tsv = readFileSync(new URL('../data/go1.19-sizeclasses.tsv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t').map(Number));

describe('size classes', () => {
  it("equal Go 1.19's table, class by class", () => {
    expect(sizeClasses).toHaveLength(67);
    expect(tsv).toHaveLength(67);
    for (const [cls, bytes, spanBytes, objects] of tsv) {
      const c = sizeClasses[cls! - 1]!;
      expect({ class: c.class, size: c.size, spanBytes: c.pages * 8192, objects: c.objects }).toEqual({
        class: cls,
        size: bytes,
        spanBytes,
        objects,
      });
    }
  });

  it('map every size 0..32768 to the smallest class that fits, as Go does', () => {
    for (let n = 0; n <= 32768; n++) {
      const want = n === 0 ? 0 : tsv.find((row) => row[1]! >= n)![0]!;
      const got = sizeToClass(n);
      if (got !== want) expect({ n, got }).toEqual({ n, got: want });
    }
    expect(sizeToClass(32769)).toBe(0);
  });

  it("match Go's worked examples of roundupsize", () => {
    const examples: [number, number][] = [
      [1, 8],
      [17, 24],
      [33, 48],
      [100, 112],
      [1000, 1024],
      [1025, 1152],
      [5000, 5376],
      [20000, 20480],
      [32768, 32768],
      [32769, 40960],
    ];
    for (const [n, want] of examples) expect(roundUpSize(n)).toBe(want);
  });

  it('divMagic gives the exact object index for every offset of every class', () => {
    for (let c = 1; c < 68; c++) {
      const size = classToSize[c]!;
      const mul = classToDivMul[c]!;
      for (let off = 0; off <= classToPages[c]! * 8192; off++) {
        const idx = Math.floor(off * mul * 2 ** -32);
        if (idx !== Math.floor(off / size)) expect({ c, off, idx }).toEqual({ c, off, idx: Math.floor(off / size) });
      }
    }
  });

  it("divExact gives free's fast path the exact index of every object start, in int32 arithmetic", () => {
    for (let c = 1; c < 68; c++) {
      const size = classToSize[c]!;
      const spanBytes = classToPages[c]! * 8192;
      expect(spanBytes).toBeLessThan(2 ** DIV_EXACT_SHIFT);
      for (let j = 0; j * size < spanBytes; j++) {
        const product = j * size * classToDivExact[c]!;
        expect(product).toBeLessThan(2 ** 31);
        if (product >>> DIV_EXACT_SHIFT !== j)
          expect({ c, j, idx: product >>> DIV_EXACT_SHIFT }).toEqual({ c, j, idx: j });
      }
    }
  });
});
