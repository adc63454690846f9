// Machine instructions per churn step, counted by valgrind (cachegrind) instead of timed: on this
// project's 2-vCPU VM a timed ratio drifts by tens of percent from one minute to the next, while an
// instruction count moves by ~2 %. It answers "did this change make the step do less work?" — not
// "is it faster?" (a fenced Atomics call or a cache miss costs far more than its instructions).
//
//   node bench/instructions.mjs [--kinds own,shared,wasm] [--steps 400000] [--warm 300000] [--dist DIR]
//
// Each kind runs twice under `valgrind --tool=cachegrind --cache-sim=yes`, with `node --single-threaded`
// (no compiler or GC helper threads): fill 100k blocks and warm up, then 0 or `steps` more churn steps.
// The difference of the two runs, divided by `steps`, is the steady-state cost of a step — fill, warm-up,
// start-up and compilation cancel out. Also prints first-level data-cache misses per step (simulated).
// Needs valgrind (`apt-get install -y valgrind`); takes about a minute per run.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HELP = `usage: node bench/instructions.mjs [--kinds own,shared,wasm] [--steps N] [--warm N] [--dist DIR]
  own     a non-shared Heap          shared  new Heap({ shared: true }) (this thread is P 0)
  wasm    a heap in a shared WebAssembly.Memory
Prints machine instructions and simulated L1 data misses per churn step (valgrind's cachegrind).`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};

// ── the child: one churn run, nothing else ──────────────────────────────────────────────────────────
if (process.env.GOMEM_INSTRUCTIONS_CHILD === '1') {
  const { churnSequence } = await import('./sequences.mjs');
  const { compileFor, directCalls, pointerArray } = await import('./workloads.mjs');
  const { Heap } = await import(`${option('--dist', '../dist')}/index.js`);
  const kind = option('--kind', 'own');
  const steps = Number(option('--steps', '0'));
  const warm = Number(option('--warm', '300000'));
  const live = 100_000;
  const maxBytes = 512 << 20;
  const heap =
    kind === 'own'
      ? new Heap({ maxBytes, memProfileRate: 0 })
      : kind === 'shared'
        ? new Heap({ shared: true, maxBytes, memProfileRate: 0 })
        : new Heap({
            memory: new WebAssembly.Memory({ initial: 64, maximum: maxBytes / 65536, shared: true }),
            maxBytes,
            memProfileRate: 0,
          });
  const adapter = { name: 'gomem', ...directCalls };
  const seq = churnSequence(1, live, warm + steps);
  const P = pointerArray(adapter, live);
  compileFor(adapter, 'fill', heap)(P, seq.fill, 0x7fffffff, live);
  compileFor(adapter, 'churn', heap)(P, seq.victim, seq.size, 0, warm + steps);
  process.exit(0);
}

// ── the parent: two valgrind runs per kind ─────────────────────────────────────────────────────────
if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('valgrind is not installed (apt-get install -y valgrind)');
  process.exit(2);
}
const kinds = option('--kinds', 'own,shared,wasm').split(',');
for (const k of kinds) {
  if (!['own', 'shared', 'wasm'].includes(k)) {
    console.error(`unknown kind ${k}\n${HELP}`);
    process.exit(2);
  }
}
const steps = Number(option('--steps', '400000'));
const warm = option('--warm', '300000');
const dist = new URL(option('--dist', '../dist') + '/', import.meta.url).href.replace(/\/$/, '');
const self = fileURLToPath(import.meta.url);

/** Total instructions and L1 data misses of one child run. */
function measure(kind, n) {
  const run = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=yes',
      '--cachegrind-out-file=/dev/null',
      process.execPath,
      '--single-threaded',
      self,
    ].concat(['--kind', kind, '--steps', String(n), '--warm', warm, '--dist', dist]),
    { env: { ...process.env, GOMEM_INSTRUCTIONS_CHILD: '1' }, encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (run.status !== 0) throw new Error(`valgrind run of ${kind} failed:\n${run.stderr.slice(-2000)}`);
  const out = run.stderr; // valgrind's summary
  const field = (label) =>
    Number(
      /==\d+== (?:I|D1)\s+(?:refs|misses):\s+([\d,]+)/
        .exec(out.split('\n').find((l) => l.includes(label)) ?? '')?.[1]
        .replaceAll(',', ''),
    );
  return { instructions: field('I   refs'), d1: field('D1  misses') };
}

console.log(
  `instructions per churn step (100k live blocks, ${warm} warm-up steps, difference of 0 and ${steps} more steps)`,
);
for (const kind of kinds) {
  process.stderr.write(`  ${kind}: two valgrind runs …\n`);
  const base = measure(kind, 0);
  const more = measure(kind, steps);
  const perStep = (more.instructions - base.instructions) / steps;
  const d1 = (more.d1 - base.d1) / steps;
  console.log(`${kind.padEnd(7)} ${perStep.toFixed(0).padStart(6)} instructions   ${d1.toFixed(2)} L1 data misses`);
}
