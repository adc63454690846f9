// `gomem demo`: a workload on a gomem heap, then what Go's runtime would tell you about it — gctrace
// lines while it runs (when the heap has a collector), a progress line, a final MemStats summary and
// the per-size-class table (runtime.MemStats.BySize); optionally a pprof heap profile and a Chrome
// trace of the run.
//
// Workloads live in src/inspector/workloads.ts (the inspector runs the same ones). With --threads N the
// heap is shared and N-1 Workers attach to it, each running its own copy of the workload on its own P;
// at the end they send their heap-profile records and trace events back, so the files cover every thread.

import { writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { parseArgs } from 'node:util';
import { Heap, sizeClasses, type MemStats } from '../index.js';
import type { HeapHandle } from '../runtime/heap.js';
import { type MemProfileRecord } from '../profile/memprofile.js';
import { encodeHeapProfile } from '../profile/pprof.js';
import {
  type GcCycleTimes,
  HeapTracer,
  type TraceEvent,
  startTrace,
  traceFile,
  traceGcCycle,
} from '../profile/trace.js';
import { WORKLOAD_NAMES, type WorkloadName, makeWorkload } from '../inspector/workloads.js';
import type { Subcommand } from './main.js';

export { churnSize, prng } from '../inspector/workloads.js';

const HELP = `usage: gomem demo [options]

Runs a workload on a gomem heap and prints Go's view of it: gctrace lines (with the collector), a
progress line, MemStats and the per-size-class table.

options:
  --workload W          churn | binary-trees | leak (default churn; leak leaks on purpose)
  --steps N             workload steps (default: churn 2000000, binary-trees 2000, leak 1000000)
  --live N              churn: live buffers kept (default 100000)
  --threads N           threads sharing the heap, each running the workload (default 1)
  --max-bytes N         heap maxBytes (default 1 GiB)
  --seed N              random seed (default 1)
  --mem-profile-rate N  bytes per heap-profile sample (default 524288; 1 = every allocation)
  --profile FILE        write a gzipped pprof heap profile (open with: go tool pprof FILE)
  --trace FILE          write a Chrome trace-event JSON trace (open in ui.perfetto.dev)
  --gogc N              GOGC for the collector (default 100; off = -1)
  --gctrace             print Go's gctrace line per GC cycle (GODEBUG=gctrace=1)
  --json                print MemStats as JSON instead of tables
  -h, --help            this help
`;

const DEFAULT_STEPS: Record<WorkloadName, number> = { churn: 2_000_000, 'binary-trees': 2000, leak: 1_000_000 };

export class DemoUsageError extends Error {
  override name = 'DemoUsageError';
}

/** The --workload option: one of WORKLOAD_NAMES, churn when absent. */
export function parseWorkload(value: string | undefined): WorkloadName {
  const workload = (value ?? 'churn') as WorkloadName;
  if (!WORKLOAD_NAMES.includes(workload)) {
    throw new DemoUsageError(`--workload must be one of ${WORKLOAD_NAMES.join(', ')}, got '${value}'`);
  }
  return workload;
}

/** An integer option of at least `min` (default 1), or `fallback` when absent; else DemoUsageError. */
export function intOption(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new DemoUsageError(`--${name} must be an integer >= ${min}, got '${value}'`);
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
    ['NextGC', st.NextGC, 'heap goal'],
  ];
  const lines = rows.map(
    ([k, v, what]) => `  ${k.padEnd(13)} ${String(v).padStart(13)}  ${mib(v).padStart(12)}  ${what}`,
  );
  lines.push(`  ${'Mallocs'.padEnd(13)} ${String(st.Mallocs).padStart(13)}`);
  lines.push(`  ${'Frees'.padEnd(13)} ${String(st.Frees).padStart(13)}`);
  lines.push(`  ${'HeapObjects'.padEnd(13)} ${String(st.HeapObjects).padStart(13)}`);
  lines.push(`  ${'NumGC'.padEnd(13)} ${String(st.NumGC).padStart(13)}`);
  lines.push(`  ${'PauseTotalNs'.padEnd(13)} ${String(st.PauseTotalNs).padStart(13)}`);
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
  lines.push(
    "  (BySize covers classes up to 60, 18432 B, as Go's does; larger classes and large objects are in the totals)",
  );
  return lines.join('\n');
}

interface RunSpec {
  workload: WorkloadName;
  steps: number;
  live: number;
  seed: number;
  memProfileRate: number;
  trace: boolean;
}

interface ThreadResult {
  summary: string;
  records: MemProfileRecord[];
  events: TraceEvent[];
}

/** Runs the workload on this thread's Heap object, in slices, calling `progress` between them. */
function runOn(
  heap: Heap,
  spec: RunSpec,
  progress: (done: number, total: number) => void,
  given: HeapTracer | null = null,
): ThreadResult {
  const tracer = spec.trace ? startTrace(heap, given ?? new HeapTracer(heap.p)) : null;
  const w = makeWorkload(spec.workload, heap, { steps: spec.steps, seed: spec.seed, live: spec.live });
  const slice = spec.workload === 'binary-trees' ? 4 : 4096;
  while (w.run(slice) > 0) progress(w.done, w.total);
  heap.trace = null;
  return { summary: w.summary(), records: heap.memProfileRecords(), events: tracer?.events ?? [] };
}

// A Worker running one thread's share: attaches, runs, reports, detaches.
if (!isMainThread && (workerData as { gomemDemo?: boolean } | null)?.gomemDemo === true) {
  const { handle, spec } = workerData as { handle: HeapHandle; spec: RunSpec };
  const heap = Heap.attach(handle, { memProfileRate: spec.memProfileRate });
  const result = runOn(heap, spec, () => {});
  heap.detach();
  parentPort!.postMessage(result);
}

function startWorker(handle: HeapHandle, spec: RunSpec): Promise<ThreadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { gomemDemo: true, handle, spec } });
    worker.once('message', (r: ThreadResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`demo worker exited with code ${code}`));
    });
  });
}

export const demoCommand: Subcommand = {
  summary: 'run a workload on a gomem heap and print MemStats and the size-class table',
  async run(args: string[]): Promise<number> {
    let values;
    try {
      values = parseArgs({
        args,
        options: {
          workload: { type: 'string' },
          steps: { type: 'string' },
          live: { type: 'string' },
          threads: { type: 'string' },
          'max-bytes': { type: 'string' },
          seed: { type: 'string' },
          'mem-profile-rate': { type: 'string' },
          profile: { type: 'string' },
          trace: { type: 'string' },
          gogc: { type: 'string' },
          gctrace: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          help: { type: 'boolean', short: 'h', default: false },
        },
        strict: true,
      }).values;
    } catch (e) {
      throw new DemoUsageError((e as Error).message);
    }
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const workload = parseWorkload(values.workload);
    const threads = intOption(values.threads, 'threads', 1);
    const spec: RunSpec = {
      workload,
      steps: intOption(values.steps, 'steps', DEFAULT_STEPS[workload]),
      live: intOption(values.live, 'live', 100_000),
      seed: intOption(values.seed, 'seed', 1),
      memProfileRate: intOption(values['mem-profile-rate'], 'mem-profile-rate', 512 * 1024, 0),
      trace: values.trace !== undefined,
    };
    const gogc =
      values.gogc === undefined ? undefined : values.gogc === 'off' ? -1 : intOption(values.gogc, 'gogc', 100, -1);
    const heap = new Heap({
      maxBytes: intOption(values['max-bytes'], 'max-bytes', 1 << 30),
      memProfileRate: spec.memProfileRate,
      shared: threads > 1,
      maxP: Math.max(threads, 1),
    });
    const progressOn = process.stderr.isTTY === true && !values.json;
    const tracer = spec.trace ? new HeapTracer(heap.p) : null;
    const collected = heap as Partial<{
      setGCPercent(n: number): number;
      setGCTrace(o: (line: string, cycle: GcCycleTimes) => void): void;
    }>;
    if (typeof collected.setGCTrace !== 'function') {
      if (gogc !== undefined || values.gctrace) {
        process.stderr.write(
          'gomem demo: collector not available (heap.gc does not exist): --gogc/--gctrace ignored\n',
        );
      }
    } else {
      if (gogc !== undefined) collected.setGCPercent!(gogc);
      if (values.gctrace || tracer !== null) {
        collected.setGCTrace((line, cycle) => {
          if (tracer !== null && (heap as { trace: unknown }).trace !== tracer) traceGcCycle(tracer, cycle);
          if (values.gctrace) process.stderr.write(`${progressOn ? `\r${' '.repeat(100)}\r` : ''}${line}\n`);
        });
      }
    }

    const started = performance.now();
    let lastReport = 0;
    const progress = (done: number, total: number) => {
      const now = performance.now();
      if (!progressOn || now - lastReport < 250) return;
      lastReport = now;
      const st = heap.readMemStats();
      process.stderr.write(
        `\r  ${workload}: ${done}/${total} steps ${((100 * done) / total).toFixed(0)}%  HeapAlloc ${mib(st.HeapAlloc)}  Sys ${mib(st.Sys)}  ${threads > 1 ? `(thread 0 of ${threads})` : ''}`,
      );
    };
    const workers = threads > 1 ? Array.from({ length: threads - 1 }, () => startWorker(heap.handle(), spec)) : [];
    const mine = runOn(heap, spec, progress, tracer);
    const results = [mine, ...(await Promise.all(workers))];
    const elapsed = performance.now() - started;
    if (progressOn) process.stderr.write('\r' + ' '.repeat(100) + '\r');

    if (values.profile !== undefined) {
      const records = results.flatMap((r) => r.records);
      writeFileSync(
        values.profile,
        encodeHeapProfile(records, { rate: spec.memProfileRate, comments: [`gomem demo --workload ${workload}`] }),
      );
    }
    if (values.trace !== undefined) {
      writeFileSync(values.trace, JSON.stringify(traceFile(results.flatMap((r) => r.events))));
    }
    const st = heap.readMemStats();
    if (values.json) {
      process.stdout.write(JSON.stringify(st, null, 2) + '\n');
      return 0;
    }
    const files = [
      values.profile !== undefined ? `heap profile: ${values.profile} (go tool pprof -top ${values.profile})` : '',
      values.trace !== undefined ? `trace: ${values.trace} (open in ui.perfetto.dev)` : '',
    ].filter((s) => s !== '');
    process.stdout.write(
      `gomem demo: ${results.map((r, i) => (threads > 1 ? `[thread ${i}] ` : '') + r.summary).join('\n            ')}\n` +
        `${threads} thread${threads > 1 ? 's' : ''}, ${(elapsed / 1000).toFixed(2)} s\n` +
        (files.length > 0 ? files.join('\n') + '\n' : '') +
        `\nruntime.MemStats\n${formatMemStats(st)}\n\nBySize (per size class)\n${formatBySize(st)}\n`,
    );
    return 0;
  },
};
