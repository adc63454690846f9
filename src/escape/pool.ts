// Several packages at once on a pool of worker_threads (Node only: used by the CLI and the
// standard-library sweep, never by `analyzeEscape`, which stays single-threaded and
// browser-safe). Packages are independent — each is parsed, checked and solved on its own — so
// one worker per core analyses whole packages; each worker loads web-tree-sitter and the
// grammar once and keeps them for every package it is given. A worker gets its next package
// only when it has answered the previous one, so a large package never queues small ones behind
// it on a busy worker. Results travel back as plain data (messages are plain objects); errors
// are rebuilt as the same typed errors in the caller's thread.

import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EscapeInputError, GoParseError, GrammarLoadError } from './errors.js';
import type { AnalyzeOptions, EscapeResult, GoFile } from './index.js';

/** What a worker may be asked to do: only serialisable options (no grammar bytes from the caller). */
export type PoolOptions = Pick<AnalyzeOptions, 'smallFrames' | 'explain'>;

/** One package's outcome, with the worker's own time for it (parse through solve). */
export type PoolOutcome = { ok: true; result: EscapeResult; ms: number } | { ok: false; error: Error; ms: number };

/** The wire form of a worker's reply. */
export type WorkerReply =
  | { id: number; ok: true; result: EscapeResult; ms: number }
  | { id: number; ok: false; error: WorkerError; ms: number };

/** An error as it crosses threads: its name, text and, for GoParseError, the position. */
export interface WorkerError {
  name: string;
  message: string;
  stack?: string;
  file?: string;
  line?: number;
  col?: number;
}

export interface WorkerRequest {
  id: number;
  files: GoFile[];
  options: PoolOptions;
}

/** Threads worth using: one per core the process may run on. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

interface Pending {
  id: number;
  files: GoFile[];
  options: PoolOptions;
  resolve: (o: PoolOutcome) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class EscapePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {
    const script = workerScript();
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: new Worker(script), busy: null };
      slot.worker.on('message', (reply: WorkerReply) => this.answered(slot, reply));
      // A worker that dies (out of memory, a crash in wasm) fails the package it held and is not reused.
      slot.worker.on('error', (err) => this.died(slot, err));
      slot.worker.on('exit', (code) => {
        if (!this.closed) this.died(slot, new Error(`escape worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Queues one package; resolves (never rejects) with its result or its error. */
  analyze(files: GoFile[], options: PoolOptions = {}): Promise<PoolOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, error: new Error('escape pool is closed'), ms: 0 });
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, files, options, resolve });
      this.dispatch();
    });
  }

  /** Packages waiting for a worker or being analysed. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve({ ok: false, error: new Error('escape pool closed'), ms: 0 });
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const job = this.queue.shift()!;
      slot.busy = job;
      const req: WorkerRequest = { id: job.id, files: job.files, options: job.options };
      slot.worker.postMessage(req);
    }
  }

  private answered(slot: Slot, reply: WorkerReply): void {
    const job = slot.busy;
    if (!job || job.id !== reply.id) return;
    slot.busy = null;
    job.resolve(
      reply.ok
        ? { ok: true, result: reply.result, ms: reply.ms }
        : { ok: false, error: reviveError(reply.error), ms: reply.ms },
    );
    this.dispatch();
  }

  private died(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    const job = slot.busy;
    slot.busy = null;
    if (job) job.resolve({ ok: false, error: err, ms: 0 });
    if (this.slots.length === 0) {
      for (const p of this.queue.splice(0)) p.resolve({ ok: false, error: err, ms: 0 });
    } else this.dispatch();
  }
}

/** The compiled worker next to this module (dist/escape/pool-worker.js). */
function workerScript(): URL {
  const url = new URL('./pool-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url)))
    throw new EscapeInputError(`escape worker script not found: ${fileURLToPath(url)} (build with npm run build)`);
  return url;
}

/** The same typed error the worker threw, so callers switch on `name` as they do in-process. */
export function reviveError(e: WorkerError): Error {
  let out: Error;
  if (e.name === 'GoParseError' && e.file !== undefined && e.line !== undefined && e.col !== undefined) {
    out = new GoParseError(e.file, e.line, e.col, '');
    out.message = e.message;
  } else if (e.name === 'GrammarLoadError') out = new GrammarLoadError(e.message);
  else if (e.name === 'EscapeInputError') out = new EscapeInputError(e.message);
  else {
    out = new Error(e.message);
    out.name = e.name;
  }
  if (e.stack) out.stack = e.stack;
  return out;
}
