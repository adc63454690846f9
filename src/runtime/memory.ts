// The backing store: the JavaScript memory a heap lives in, and how it grows.
//
// Go asks the OS for address space in 64 MiB arenas and maps it in 4 MiB steps. We own one buffer and
// grow it in the same 4 MiB steps up to maxBytes: a resizable ArrayBuffer, a growable SharedArrayBuffer,
// or a WebAssembly.Memory (whose buffer object is replaced on growth, so views must be re-made).

import { HeapConfigError } from './errors.js';

const WASM_PAGE = 65536;

export type Backing =
  { kind: 'buffer'; buffer: ArrayBuffer | SharedArrayBuffer } | { kind: 'wasm'; memory: WebAssembly.Memory };

/**
 * A growable SharedArrayBuffer whenever the platform has one, even for a heap that is not shared:
 * element access through views of a growable SharedArrayBuffer costs what it costs on a fixed buffer,
 * while V8 (Node 20) is several times slower on views of a resizable ArrayBuffer. Without
 * SharedArrayBuffer (a browser page that is not cross-origin isolated) a resizable ArrayBuffer serves.
 */
export function createBacking(initialBytes: number, maxBytes: number, shared: boolean): Backing {
  if (typeof SharedArrayBuffer === 'function') {
    return { kind: 'buffer', buffer: new SharedArrayBuffer(initialBytes, { maxByteLength: maxBytes }) };
  }
  if (shared) {
    throw new HeapConfigError('a shared heap needs SharedArrayBuffer (in browsers: a cross-origin isolated page)');
  }
  return { kind: 'buffer', buffer: new ArrayBuffer(initialBytes, { maxByteLength: maxBytes }) };
}

export function backingBuffer(b: Backing): ArrayBuffer | SharedArrayBuffer {
  return b.kind === 'wasm' ? (b.memory.buffer as ArrayBuffer | SharedArrayBuffer) : b.buffer;
}

/** The most bytes this backing can ever hold. */
export function backingMaxBytes(b: Backing): number {
  if (b.kind === 'wasm') {
    const buf = b.memory.buffer as ArrayBuffer | SharedArrayBuffer;
    const max =
      'maxByteLength' in buf && buf instanceof SharedArrayBuffer && buf.growable ? buf.maxByteLength : Infinity;
    return Math.min(max, 2 ** 32);
  }
  const buf = b.buffer;
  if (buf instanceof SharedArrayBuffer) return buf.growable ? buf.maxByteLength : buf.byteLength;
  return buf.resizable ? buf.maxByteLength : buf.byteLength;
}

/**
 * Grows the backing store to at least `bytes`. Returns false when it cannot (past its maximum); the
 * store is then unchanged. Growing a store another thread already grew further is a no-op.
 */
export function growBacking(b: Backing, bytes: number): boolean {
  const current = backingBuffer(b);
  if (current.byteLength >= bytes) return true;
  try {
    if (b.kind === 'wasm') {
      b.memory.grow(Math.ceil((bytes - current.byteLength) / WASM_PAGE));
    } else if (b.buffer instanceof SharedArrayBuffer) {
      if (!b.buffer.growable) return false;
      b.buffer.grow(bytes);
    } else {
      if (!b.buffer.resizable) return false;
      b.buffer.resize(bytes);
    }
  } catch (err) {
    // Lost a race with another thread's growth, or hit the maximum: only the latter is a failure.
    if (err instanceof RangeError) return backingBuffer(b).byteLength >= bytes;
    throw err;
  }
  return true;
}
