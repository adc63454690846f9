// `gomem inspect`: runs a workload on a gomem heap with the inspector serving it, prints the URL, and
// keeps serving until interrupted (or --exit-after). The workload runs in slices with a turn of the
// event loop between them, so the server answers while it works; when it finishes, it starts again,
// so the curves keep moving (the leak workload keeps leaking until the heap is full).

import { parseArgs } from 'node:util';
import { Heap } from '../index.js';
import { serveInspector } from '../inspector/server.js';
import { makeWorkload } from '../inspector/workloads.js';
import { DemoUsageError, parseWorkload, intOption } from './demo.js';
import type { Subcommand } from './main.js';

const HELP = `usage: gomem inspect [options]

Serves a live view of a gomem heap running a workload on http://127.0.0.1:PORT/.

options:
  --workload W          churn | binary-trees | leak (default churn)
  --port N              port (default 0: any free port)
  --max-bytes N         heap maxBytes (default 1 GiB)
  --mem-profile-rate N  bytes per heap-profile sample (default 524288)
  --steps N             workload steps per round (default 200000; binary-trees 200)
  --exit-after S        stop after S seconds (default: run until Ctrl-C)
  -h, --help            this help
`;

export const inspectCommand: Subcommand = {
  summary: 'run a workload and serve a live web view of its heap (page map, classes, curves, profile)',
  async run(args: string[]): Promise<number> {
    let values;
    try {
      values = parseArgs({
        args,
        options: {
          workload: { type: 'string' },
          port: { type: 'string' },
          'max-bytes': { type: 'string' },
          'mem-profile-rate': { type: 'string' },
          steps: { type: 'string' },
          'exit-after': { type: 'string' },
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
    const heap = new Heap({
      maxBytes: intOption(values['max-bytes'], 'max-bytes', 1 << 30, 4 << 20),
      memProfileRate: intOption(values['mem-profile-rate'], 'mem-profile-rate', 512 * 1024, 0),
    });
    const steps = intOption(values.steps, 'steps', workload === 'binary-trees' ? 200 : 200_000, 1);
    const exitAfter =
      values['exit-after'] === undefined ? Infinity : intOption(values['exit-after'], 'exit-after', 0, 1) * 1000;
    const inspector = await serveInspector(heap, {
      port: intOption(values.port, 'port', 0, 0),
      log: (l) => process.stdout.write(l + '\n'),
    });
    process.stdout.write(`running workload ${workload}; Ctrl-C to stop\n`);
    let stop = false;
    const onSignal = () => (stop = true);
    process.once('SIGINT', onSignal);
    const started = performance.now();
    let round = 0;
    try {
      while (!stop && performance.now() - started < exitAfter) {
        const w = makeWorkload(workload, heap, { steps, seed: ++round, live: 20_000 });
        while (!stop && performance.now() - started < exitAfter && w.run(workload === 'binary-trees' ? 2 : 2000) > 0) {
          await new Promise((r) => setImmediate(r));
        }
      }
    } catch (e) {
      // The leak workload ends by filling the heap: keep serving what it left.
      process.stderr.write(`workload stopped: ${(e as Error).message}\n`);
      while (!stop && performance.now() - started < exitAfter) await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('SIGINT', onSignal);
      await inspector.close();
    }
    return 0;
  },
};
