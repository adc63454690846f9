// One thread of the escape pool (see pool.ts): analyses the packages it is sent, one at a time,
// with the parser it loaded on its first package, and answers each with plain data.

import { parentPort } from 'node:worker_threads';
import { analyzeEscape } from './index.js';
import type { WorkerReply, WorkerRequest } from './pool.js';

const port = parentPort;
if (!port) throw new Error('pool-worker.js runs only as a worker thread');

port.on('message', async (req: WorkerRequest) => {
  const t0 = performance.now();
  let reply: WorkerReply;
  try {
    const result = await analyzeEscape(req.files, req.options);
    reply = { id: req.id, ok: true, result, ms: performance.now() - t0 };
  } catch (e) {
    const err = e as Error & { file?: string; line?: number; col?: number };
    reply = {
      id: req.id,
      ok: false,
      error: {
        name: String(err?.name ?? 'Error'),
        message: String(err?.message ?? err),
        stack: err?.stack,
        file: err?.file,
        line: err?.line,
        col: err?.col,
      },
      ms: performance.now() - t0,
    };
  }
  port.postMessage(reply);
});
