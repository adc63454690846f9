// The allocators under comparison, each described the same way so one loop template serves all.
//
// An adapter says how to make a fresh instance (`create`), and gives the code the timed loops use:
// `prologue` (locals hoisted out of the loop), `malloc(x)` and `free(x)` (expressions), and how to
// hold what malloc returns (`ptrs`: a Uint32Array of integer pointers, or an Array of objects for
// V8). workloads.mjs pastes these into the loop source and compiles one function per allocator, so
// every allocator runs in its own monomorphic code: no call site ever sees two allocators.
//
// `footprint(instance)` is the bytes the allocator holds from the system after a run, with a note
// saying what was measured; `null` when the notion does not apply.

import { MemPool } from '@thi.ng/malloc';
import { instantiateTlsf, loadTlsfModule } from './tlsf.mjs';
import { directCalls } from './workloads.mjs';

const MiB = 1 << 20;
const FOUR_GIB = 2 ** 32;

/** The floor: one field bumped per malloc, free does nothing; wraps to the start when full. */
class BumpAllocator {
  constructor(capacity) {
    this.capacity = capacity;
    this.top = 8;
  }
  malloc(n) {
    const p = this.top;
    const next = (p + n + 7) & -8;
    if (next > this.capacity) {
      this.top = (8 + n + 7) & -8;
      return 8;
    }
    this.top = next;
    return p;
  }
  free(_p) {}
}

/**
 * Every adapter, the unavailable ones with the reason. `oursModule` is the module gomem's Heap comes
 * from (dist/index.js, or another build given with --ours for an A/B comparison).
 * `create({ expectBytes })` gets the bytes the workload will keep live, to size fixed pools.
 */
export async function loadAllocators(oursModule) {
  const adapters = [];
  const { Heap } = await import(oursModule);

  const gomemFootprint = (heap) => {
    const m = heap.readMemStats();
    return {
      bytes: m.Sys,
      inUseBytes: m.HeapInuse + m.MSpanInuse,
      note: 'MemStats.Sys: the whole buffer (pages, span records, bitmaps, tables); it never shrinks, so it is the peak',
    };
  };
  adapters.push({
    name: 'gomem',
    label: 'gomem Heap (ours), defaults (heap profiling on, like Go: a sample per 512 KiB)',
    create: ({ expectBytes }) => new Heap({ maxBytes: heapMaxBytes(expectBytes) }),
    ...directCalls,
    footprint: gomemFootprint,
  });
  // The allocator alone: Go's default heap profiling captures a JS stack per sample, which costs far
  // more in JS than in Go, so the allocator's own cost is shown beside the default.
  adapters.push({
    name: 'gomem-np',
    label: 'gomem Heap with memProfileRate: 0 (no heap profiling)',
    create: ({ expectBytes }) => new Heap({ maxBytes: heapMaxBytes(expectBytes), memProfileRate: 0 }),
    ...directCalls,
    footprint: gomemFootprint,
  });

  try {
    const tlsf = await loadTlsfModule();
    adapters.push({
      name: 'tlsf',
      label: `AssemblyScript TLSF (asc ${tlsf.version})`,
      detail: `${tlsf.compiledNow ? 'compiled now' : 'cached'}: ${tlsf.wasmPath}`,
      create: () => instantiateTlsf(tlsf.module),
      prologue: 'const wasmAlloc = A.alloc, wasmFree = A.free;',
      malloc: (x) => `wasmAlloc(${x})`,
      free: (x) => `wasmFree(${x})`,
      ptrs: 'u32',
      footprint(t) {
        return {
          bytes: t.memory.buffer.byteLength,
          note: 'wasm memory size; never shrinks, so it is the peak (TLSF grows it by doubling)',
        };
      },
    });
  } catch (err) {
    adapters.push(unavailable('tlsf', 'AssemblyScript TLSF', err));
  }

  if (typeof MemPool === 'function') {
    adapters.push({
      name: 'thing',
      label: '@thi.ng/malloc MemPool',
      // Its pool cannot grow, so it gets room for the whole workload up front.
      create: ({ expectBytes }) =>
        new MemPool({ size: Math.min(FOUR_GIB - 65536, Math.ceil((expectBytes * 1.5) / 65536) * 65536 + 64 * MiB) }),
      ...directCalls,
      // free and compaction walk lists as long as the live set: O(n) per step, so it runs on a time budget.
      slow: true,
      trackTop: true,
      footprint(pool, peakTop) {
        return {
          bytes: Math.max(peakTop ?? 0, pool.top),
          note: 'highest `top` seen (its bump frontier); the pool itself is a fixed buffer sized up front',
        };
      },
    });
  } else {
    adapters.push(unavailable('thing', '@thi.ng/malloc MemPool', new Error('MemPool not exported')));
  }

  adapters.push({
    name: 'bump',
    label: 'bump allocator (JS floor)',
    create: () => new BumpAllocator(FOUR_GIB - 8),
    ...directCalls,
    footprint: () => null,
  });

  adapters.push({
    name: 'v8',
    label: 'V8 new Uint8Array(n)',
    create: () => ({ keep: [null] }),
    // "free" drops the reference and leaves the rest to V8's collector.
    prologue: 'const keep = A.keep;',
    malloc: (x) => `new Uint8Array(${x})`,
    free: (x) => `(keep[0] = ${x})`,
    ptrs: 'object',
    footprint: () => null,
  });

  return adapters;
}

function unavailable(name, label, err) {
  return { name, label, unavailable: err instanceof Error ? err.message.split('\n')[0] : String(err) };
}

/** Room for the workload with slack for fragmentation, in whole 4 MiB chunks, at most 4 GiB. */
function heapMaxBytes(expectBytes) {
  const want = Math.max(256 * MiB, expectBytes * 3 + 64 * MiB);
  return Math.min(FOUR_GIB, Math.ceil(want / (4 * MiB)) * 4 * MiB);
}
