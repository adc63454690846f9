// AssemblyScript's TLSF allocator as a baseline, built from the installed `assemblyscript` package.
//
// tlsf-entry.ts only re-exports the runtime's `__alloc`/`__free`; `asc --runtime minimal -O3
// --noAssert` (a release build, as users ship it) turns it into a ~1.6 KB module. It is compiled at
// bench time (about 4 s) into bench/out/, which git ignores, and reused while the compiler version,
// the entry and the flags stay the same: the wasm always matches the installed compiler, and nobody
// has to trust a committed binary.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(here, 'tlsf-entry.ts');
const OUT_DIR = join(here, 'out');
const ASC_FLAGS = ['--runtime', 'minimal', '-O3', '--noAssert'];

/** Compiles (or reuses) the TLSF module; returns { module, version, wasmPath, compiledNow }. */
export async function loadTlsfModule() {
  const require = createRequire(import.meta.url);
  const version = JSON.parse(readFileSync(require.resolve('assemblyscript/package.json'), 'utf8')).version;
  const key = createHash('sha256')
    .update(version)
    .update(readFileSync(ENTRY))
    .update(ASC_FLAGS.join(' '))
    .digest('hex')
    .slice(0, 12);
  const wasmPath = join(OUT_DIR, `tlsf-${key}.wasm`);
  let compiledNow = false;
  if (!existsSync(wasmPath)) {
    mkdirSync(OUT_DIR, { recursive: true });
    const mod = await import('assemblyscript/asc');
    const asc = mod.default ?? mod;
    const { error, stderr } = await asc.main([ENTRY, ...ASC_FLAGS, '--outFile', wasmPath], {});
    if (error) throw new Error(`asc failed: ${error.message}\n${stderr?.toString() ?? ''}`);
    compiledNow = true;
  }
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  return { module, version, wasmPath, compiledNow };
}

/** A fresh TLSF heap: its own instance, so its own memory starting at one 64 KiB page. */
export function instantiateTlsf(module) {
  const instance = new WebAssembly.Instance(module, {
    env: {
      abort(_msg, _file, line, col) {
        throw new Error(`TLSF aborted (out of memory or bad pointer) at ${line}:${col}`);
      },
    },
  });
  const { __alloc, __free, memory } = instance.exports;
  return { alloc: __alloc, free: __free, memory };
}
