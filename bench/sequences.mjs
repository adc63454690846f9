// The work every allocator does, generated once up front from a seeded PRNG so that every allocator
// replays exactly the same sizes and frees. All sequences are typed arrays: the timed loops only
// index into them, they never build anything.
//
// The churn size mix (issue 2): 95% of requests are 8–256 B, ~4.9% are 257 B–32 KiB and 0.1% are
// 64 KiB–1 MiB. Inside each band the size is uniform: the issue gives bands, not a shape, and the
// uniform reading is the one anybody can reproduce from the text.

/** xoshiro128** over 32-bit integers: fast, seedable and good enough to pick sizes and victims. */
export function makeRandom(seed) {
  // splitmix32 spreads one seed over the four state words, so that nearby seeds do not correlate.
  let z = seed >>> 0;
  const next32 = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z;
    t = Math.imul(t ^ (t >>> 16), 0x85ebca6b);
    t = Math.imul(t ^ (t >>> 13), 0xc2b2ae35);
    return (t ^ (t >>> 16)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  const u32 = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  /** An integer in [lo, hi], both included. */
  const int = (lo, hi) => lo + Math.floor((u32() / 4294967296) * (hi - lo + 1));
  return { u32, int };
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}

export const SMALL_BAND = [8, 256];
export const MEDIUM_BAND = [257, 32 << 10];
export const LARGE_BAND = [64 << 10, 1 << 20];

/** One size from the churn mix: 95% small, 4.9% medium, 0.1% large. */
function mixSize(rnd) {
  const r = rnd.u32() % 1000;
  if (r < 950) return rnd.int(SMALL_BAND[0], SMALL_BAND[1]);
  if (r < 999) return rnd.int(MEDIUM_BAND[0], MEDIUM_BAND[1]);
  return rnd.int(LARGE_BAND[0], LARGE_BAND[1]);
}

/** Expected bytes per block of the mix, used only to size fixed pools up front. */
export const MIX_MEAN_BYTES =
  0.95 * ((SMALL_BAND[0] + SMALL_BAND[1]) / 2) +
  0.049 * ((MEDIUM_BAND[0] + MEDIUM_BAND[1]) / 2) +
  0.001 * ((LARGE_BAND[0] + LARGE_BAND[1]) / 2);

/**
 * Churn with `live` blocks: `fill[i]` is the size of live block i before the run; step k frees block
 * `victim[k]` (uniform over all live blocks) and puts a new block of `size[k]` in its place.
 * Also returns the bytes requested by the blocks still live after all `steps`.
 */
export function churnSequence(seed, live, steps) {
  const rnd = makeRandom(seed);
  const fill = new Int32Array(live);
  for (let i = 0; i < live; i++) fill[i] = mixSize(rnd);
  const victim = new Int32Array(steps);
  const size = new Int32Array(steps);
  for (let k = 0; k < steps; k++) {
    victim[k] = rnd.u32() % live;
    size[k] = mixSize(rnd);
  }
  return {
    live,
    steps,
    fill,
    victim,
    size,
    liveBytesAfter: (doneSteps) => liveBytesAfter(fill, victim, size, doneSteps),
  };
}

/** The requested bytes of the live set after the first `doneSteps` steps. */
function liveBytesAfter(fill, victim, size, doneSteps) {
  const now = Int32Array.from(fill);
  for (let k = 0; k < doneSteps; k++) now[victim[k]] = size[k];
  let total = 0;
  for (let i = 0; i < now.length; i++) total += now[i];
  return total;
}

/**
 * The ring: `live` blocks in FIFO order, each step frees the oldest and allocates a new one. Sizes are
 * the small band (8–256 B), the sizes a ring buffer of messages or nodes holds; step k allocates
 * `size[k & mask]` (a power-of-two table keeps the loop free of modulo).
 */
export function ringSequence(seed, live, tableSize = 1 << 16) {
  const rnd = makeRandom(seed);
  const size = new Int32Array(tableSize);
  for (let k = 0; k < tableSize; k++) size[k] = rnd.int(SMALL_BAND[0], SMALL_BAND[1]);
  return { live, size, mask: tableSize - 1 };
}
