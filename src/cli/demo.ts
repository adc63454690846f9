// `gomem demo`: a realistic workload on a gomem heap, then what Go's runtime would tell you about it —
// a MemStats summary and the per-size-class table (runtime.MemStats.BySize).
//
// The workload is a message broker's buffer churn: a population of live binary buffers (95% 8–256 B
// headers and small payloads, ~5% 257 B–32 KiB bodies, 0.1% 64 KiB–1 MiB blobs), where each step frees
// a random buffer and allocates a new one, writing and checking a stamp in each so the run also proves
// that no buffer is ever handed out twice.

import { parseArgs } from 'node:util';
import { Heap, sizeClasses, type MemStats } from '../index.js';
import type { Subcommand } from './main.js';

const HELP = `usage: gomem demo [options]

Runs a churn workload on a gomem heap and prints MemStats and the size-class table.

options:
  --steps N       free+malloc steps to run (default 2000000)
  --live N        live buffers kept (default 100000)
  --max-bytes N   heap maxBytes (default 1 GiB)
  --seed N        random seed (default 1)
  --json          print MemStats as JSON instead of tables
  -h, --help      this help
`;

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The churn size mix of the benchmarks: 95% 8–256 B, ~5% 257 B–32 KiB, 0.1% 64 KiB–1 MiB. */
export function churnSize(rand: () => number): number {
  const r = rand();
  if (r < 0.001) return 65536 + Math.floor(rand() * (1048576 - 65536));
  if (r < 0.05) return 257 + Math.floor(rand() * (32768 - 257));
  return 8 + Math.floor(rand() * 249);
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(2)} MiB`;
}

export function formatMemStats(st: MemStats): string {
  const rows: [string, number, string][] = [
    ['HeapAlloc', st.HeapAlloc, 'bytes of live objects'],
    ['TotalAlloc', st.TotalAlloc, 'bytes ever allocated'],
    ['Sys', st.Sys, 'bytes of the buffer'],
    ['HeapSys', st.HeapSys, 'heap pages'],
    ['HeapInuse', st.HeapInuse, 'bytes in in-use spans'],
    ['HeapIdle', st.HeapIdle, 'bytes in free pages'],
    ['HeapReleased', st.HeapReleased, 'free pages never touched'],
    ['MSpanInuse', st.MSpanInuse, 'span records in use'],
    ['MSpanSys', st.MSpanSys, 'span record chunks'],
    ['MCacheSys', st.MCacheSys, 'mcaches (per P)'],
    ['GCSys', st.GCSys, 'spans table, page bitmaps, summaries'],
    ['OtherSys', st.OtherSys, 'header, mcentrals'],
  ];
  const lines = rows.map(([k, v, what]) => `  ${k.padEnd(13)} ${String(v).padStart(13)}  ${mib(v).padStart(12)}  ${what}`);
  lines.push(`  ${'Mallocs'.padEnd(13)} ${String(st.Mallocs).padStart(13)}`);
  lines.push(`  ${'Frees'.padEnd(13)} ${String(st.Frees).padStart(13)}`);
  lines.push(`  ${'HeapObjects'.padEnd(13)} ${String(st.HeapObjects).padStart(13)}`);
  return lines.join('\n');
}

export function formatBySize(st: MemStats): string {
  const head = '  class   size  pages  objs/span      mallocs        frees         live     live bytes';
  const lines = [head];
  for (const c of sizeClasses) {
    const row = st.BySize[c.class];
    if (!row || row.Mallocs === 0) continue;
    const live = row.Mallocs - row.Frees;
    lines.push(
      `  ${String(c.class).padStart(5)} ${String(c.size).padStart(6)} ${String(c.pages).padStart(6)} ${String(c.objects).padStart(10)} ` +
        `${String(row.Mallocs).padStart(12)} ${String(row.Frees).padStart(12)} ${String(live).padStart(12)} ${String(live * c.size).padStart(14)}`,
    );
  }
  lines.push('  (BySize covers classes up to 60, 18432 B, as Go\'s does; larger classes and large objects are in the totals)');
  return lines.join('\n');
}

export const demoCommand: Subcommand = {
  summary: 'run a workload on a gomem heap and print MemStats and the size-class table',
  async run(args: string[]): Promise<number> {
    const { values } = parseArgs({
      args,
      options: {
        steps: { type: 'string' },
        live: { type: 'string' },
        'max-bytes': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const steps = positiveInt(values.steps, 'steps', 2_000_000);
    const liveCount = positiveInt(values.live, 'live', 100_000);
    const maxBytes = positiveInt(values['max-bytes'], 'max-bytes', 1 << 30);
    const rand = prng(positiveInt(values.seed, 'seed', 1));
    const heap = new Heap({ maxBytes });
    const ptrs = new Float64Array(liveCount);
    const sizes = new Int32Array(liveCount);
    const stamps = new Int32Array(liveCount);
    const progress = process.stderr.isTTY && !values.json;
    const started = performance.now();

    const fill = (i: number, stamp: number) => {
      const n = churnSize(rand);
      const p = heap.malloc(n);
      ptrs[i] = p;
      sizes[i] = n;
      stamps[i] = stamp;
      const u8 = heap.u8;
      u8[p] = stamp & 255;
      u8[p + n - 1] = (stamp >>> 8) & 255;
    };
    for (let i = 0; i < liveCount; i++) fill(i, i);
    let lastReport = started;
    for (let step = 0; step < steps; step++) {
      const i = Math.floor(rand() * liveCount);
      const p = ptrs[i]!;
      const n = sizes[i]!;
      const u8 = heap.u8;
      if (u8[p] !== (stamps[i]! & 255) || u8[p + n - 1] !== ((stamps[i]! >>> 8) & 255)) {
        throw new Error(`buffer ${i} at ${p} was overwritten: the heap handed its memory out twice`);
      }
      heap.free(p);
      fill(i, liveCount + step);
      if (progress && (step & 0xffff) === 0) {
        const now = performance.now();
        if (now - lastReport > 250) {
          lastReport = now;
          process.stderr.write(`\r  step ${step}/${steps}  ${((100 * step) / steps).toFixed(0)}%  heap ${mib(heap.buffer.byteLength)}`);
        }
      }
    }
    const elapsed = performance.now() - started;
    if (progress) process.stderr.write('\r' + ' '.repeat(70) + '\r');
    const st = heap.readMemStats();
    if (values.json) {
      process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      return 0;
    }
    let liveBytes = 0;
    for (let i = 0; i < liveCount; i++) liveBytes += sizes[i]!;
    process.stdout.write(
      `gomem demo: ${steps} free+malloc steps over ${liveCount} live buffers in ${(elapsed / 1000).toFixed(2)} s ` +
        `(${((elapsed * 1e6) / (steps + liveCount)).toFixed(0)} ns/step)\n` +
        `live bytes requested: ${liveBytes} (${mib(liveBytes)}); heap footprint Sys/requested = ${(st.Sys / liveBytes).toFixed(3)}\n\n` +
        `runtime.MemStats\n${formatMemStats(st)}\n\nBySize (per size class)\n${formatBySize(st)}\n`,
    );
    return 0;
  },
};
