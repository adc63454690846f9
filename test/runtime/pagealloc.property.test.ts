// The page allocator against a plain array of page states (fast-check): after random runs of
// allocations and frees of page ranges, pageFind(n) must be exactly the brute-force lowest run of n
// free pages, for every n asked, across chunk and summary-node boundaries. This checks the radix
// summaries (and the early stop of their update) rather than the heap built on them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../src/index.js';
import { CHUNK_PAGES } from '../../src/runtime/layout.js';
import { pageAllocRange, pageFind, pageFindBest, pageFreeRange, pageGrow } from '../../src/runtime/pagealloc.js';

/** Lowest first page of n free pages in `used`, or -1. */
function firstFit(used: boolean[], n: number): number {
  let run = 0;
  for (let p = 0; p < used.length; p++) {
    run = used[p] ? 0 : run + 1;
    if (run === n) return p - n + 1;
  }
  return -1;
}

/** First page of the smallest run of at least n free pages below `limit` (lowest on ties), or -1. */
function bestFit(used: boolean[], n: number, limit: number): number {
  let best = -1;
  let bestLen = Infinity;
  let run = 0;
  for (let p = 0; p <= limit; p++) {
    if (p < limit && !used[p]) {
      run++;
      continue;
    }
    if (run >= n && run < bestLen) {
      best = p - run;
      bestLen = run;
    }
    run = 0;
  }
  return best;
}

/** The run-mask bit of a free run of len pages: exact lengths to 16, then half octaves (17–24, 25–32, 33–48…). */
function runClass(len: number): number {
  if (len <= 16) return len - 1;
  for (let octave = 16, bit = 16; ; octave *= 2, bit += 2) {
    if (len <= octave + octave / 2) return bit;
    if (len <= 2 * octave) return bit + 1;
  }
}

/** (free pages at the start, longest free run, free pages at the end) of pages [from, to), by brute force. */
function summary(used: boolean[], from: number, to: number): [number, number, number] {
  let start = 0;
  while (from + start < to && !used[from + start]) start++;
  let max = 0;
  let run = 0;
  for (let p = from; p < to; p++) {
    run = used[p] ? 0 : run + 1;
    if (run > max) max = run;
  }
  return [start, max, run];
}

type PageOp = { op: 'alloc'; n: number; best: boolean } | { op: 'free'; pick: number; keep: number } | { op: 'grow' };

const pageOp: fc.Arbitrary<PageOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('alloc' as const),
      best: fc.boolean(),
      n: fc.oneof(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 9, max: 1300 }),
        fc.integer({ min: 400, max: 700 }),
      ),
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('free' as const), pick: fc.nat(), keep: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'grow' as const }) },
);

describe('pageAlloc against a model (fast-check)', () => {
  it('finds exactly the lowest (pageFind) and the smallest (pageFindBest) run of n free pages after random allocations, partial frees and growth', () => {
    fc.assert(
      fc.property(fc.array(pageOp, { minLength: 1, maxLength: 120 }), (ops) => {
        // A heap sized for 32 chunks gives the summary tree two levels above the chunks.
        const heap = new Heap({
          maxBytes: 32 * CHUNK_PAGES * 8192,
          initialBytes: 10 * CHUNK_PAGES * 8192,
          memProfileRate: 0,
        });
        const h = heap as unknown as Parameters<typeof pageFind>[0];
        // Pages outside [meta, mapped) are "in use" for the allocator; the model starts from its bitmap.
        const used: boolean[] = [];
        for (let p = 0; p < h.maxPages; p++) used.push(((h.i32[h.pallocWord + (p >>> 5)]! >>> (p & 31)) & 1) === 1);
        let mapped = used.lastIndexOf(false) + 1;
        const runs: [number, number][] = [];
        const check = (): void => {
          for (const n of [1, 2, 3, 4, 7, 16, 17, 24, 25, 31, 33, 64, 511, 512, 513, 1024, 1500]) {
            expect(pageFind(h, n)).toBe(firstFit(used, n));
            expect(pageFindBest(h, n, mapped)).toBe(bestFit(used, n, mapped));
          }
        };
        for (const o of ops) {
          if (o.op === 'alloc') {
            const at = o.best ? pageFindBest(h, o.n, mapped) : pageFind(h, o.n);
            expect(at).toBe(o.best ? bestFit(used, o.n, mapped) : firstFit(used, o.n));
            if (at < 0) continue;
            pageAllocRange(h, at, o.n);
            for (let p = at; p < at + o.n; p++) used[p] = true;
            runs.push([at, o.n]);
          } else if (o.op === 'free') {
            if (runs.length === 0) continue;
            const [at, n] = runs.splice(o.pick % runs.length, 1)[0]!;
            // Free all of it, or all but `keep` pages at its start (a run split as a span is trimmed).
            const from = at + Math.min(o.keep, n - 1);
            pageFreeRange(h, from, at + n - from);
            for (let p = from; p < at + n; p++) used[p] = false;
            if (from > at) runs.push([at, from - at]);
          } else {
            if (mapped + CHUNK_PAGES > h.maxPages) continue;
            pageGrow(h, mapped, mapped + CHUNK_PAGES);
            for (let p = mapped; p < mapped + CHUNK_PAGES; p++) used[p] = false;
            mapped += CHUNK_PAGES;
          }
          check();
        }
        // Every chunk's run mask names exactly the length classes of the free runs strictly inside it.
        for (let c = 0; c < h.maxPages / CHUNK_PAGES; c++) {
          let want = 0;
          let run = 0;
          for (let p = c * CHUNK_PAGES; p < (c + 1) * CHUNK_PAGES; p++) {
            if (!used[p]) {
              run++;
              continue;
            }
            if (run > 0 && p - run > c * CHUNK_PAGES) want |= 1 << runClass(run);
            run = 0;
          }
          expect(h.i32[h.runMaskWord + c]).toBe(want);
        }
        // Every node of the summary tree, leaf to root, equals its range's brute-force summary.
        const levels = h.levelWord.length;
        for (let l = 0; l < levels; l++) {
          const span = CHUNK_PAGES * 8 ** (levels - 1 - l);
          for (let i = 0; i < h.levelEntries[l]!; i++) {
            const w = h.levelWord[l]! + 3 * i;
            const got = [h.i32[w]!, h.i32[w + 1]!, h.i32[w + 2]!];
            expect(got).toEqual(summary(used, i * span, Math.min((i + 1) * span, used.length)));
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
