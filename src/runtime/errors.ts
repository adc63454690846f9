// Typed errors of the heap. Every operation validates before it changes anything, so a caller that
// catches one of these finds the heap exactly as it was.

/** Base class of gomem's heap errors, so callers can catch them as a family. */
export class GomemError extends Error {
  override name = 'GomemError';
}

/** The request cannot be met within the heap's maxBytes (or the memory's maximum). */
export class OutOfMemoryError extends GomemError {
  override name = 'OutOfMemoryError';
  constructor(
    /** Bytes the caller asked for. */
    readonly requested: number,
    /** Bytes the heap's buffer has now. */
    readonly heapBytes: number,
    /** The most the buffer may grow to. */
    readonly maxBytes: number,
  ) {
    super(`out of memory: cannot allocate ${requested} bytes (heap is ${heapBytes} bytes, at most ${maxBytes} bytes)`);
  }
}

/** A pointer given to free/realloc/usableSize that is not the start of a live object of this heap. */
export class InvalidPointerError extends GomemError {
  override name = 'InvalidPointerError';
  constructor(
    readonly pointer: unknown,
    readonly reason: string,
  ) {
    super(`invalid pointer ${typeof pointer === 'number' ? pointer : String(pointer)}: ${reason}`);
  }
}

/** A heap handle or option that cannot be used (bad options, too many Ps, detached heap). */
export class HeapConfigError extends GomemError {
  override name = 'HeapConfigError';
}

export function checkSize(n: unknown, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new RangeError(`${what}: size must be a non-negative integer, got ${typeof n === 'number' ? n : typeof n}`);
  }
  return n;
}
