// MemProfile: Go's heap-profile bookkeeping (runtime/mprof.go's buckets) for one Heap object.
//
// Sampling is Go's: the heap keeps a byte countdown (`Heap.nextSample`, a plain field so malloc's fast
// path pays one subtract-and-compare) and, when an allocation takes it below zero, calls recordAlloc and
// draws a new countdown from an exponential distribution whose mean is memProfileRate. So an object of
// size s is sampled with probability 1 − e^(−s/rate), which is what the writer's unsampling undoes.
//
// A bucket is one (stack, object size) pair, as in Go, with cumulative alloc and free counts of
// *sampled* objects. Like Go, which records PCs at the sample and symbolises them only when a profile
// is written, a sample keeps its captured stack unformatted (see Sample) until records() is asked for
// or enough samples are pending. Sampled objects are remembered in a Map from pointer to sample, so
// that a free can find its bucket; the heap marks every span holding a sampled object (a span-record word) so that
// free only leaves its fast path for those spans.
//
// Unlike Go, frees are counted at once, not published at the next GC cycle: without a collector there
// is no cycle to wait for, and "in use now" is what an explicit-free heap user asks about.

import { ProfileConfigError } from './errors.js';
import { type StackFrame, captureStack, userFrames, userStackKey } from './stack.js';

/** Go's default runtime.MemProfileRate: one sample per 512 KiB allocated, on average. */
export const DEFAULT_MEM_PROFILE_RATE = 512 * 1024;
/** Go caps the mean of the distribution (0x7000000 bytes) so the countdown stays a small integer. */
const MAX_SAMPLE_MEAN = 0x7000000;
const RANDOM_BITS = 26;

/** One allocation site: Go's runtime.MemProfileRecord, with its stack already symbolised. */
export interface MemProfileRecord {
  /** Leaf first: frames[0] called malloc. */
  readonly stack: readonly StackFrame[];
  /** Bytes of each object (the size class's size, 16 for a tiny block, whole pages when large). */
  readonly objectSize: number;
  /** Sampled counts, not scaled: see scaleHeapSample. */
  readonly allocObjects: number;
  readonly allocBytes: number;
  readonly freeObjects: number;
  readonly freeBytes: number;
}

interface Bucket {
  stack: StackFrame[];
  objectSize: number;
  allocObjects: number;
  allocBytes: number;
  freeObjects: number;
  freeBytes: number;
}

export function checkMemProfileRate(rate: unknown): number {
  if (typeof rate !== 'number' || !Number.isSafeInteger(rate) || rate < 0) {
    throw new ProfileConfigError(`memProfileRate must be a non-negative integer (bytes), got ${String(rate)}`);
  }
  return rate;
}

/**
 * Go's sampling interval: an exponential variate with mean `rate`, from a 26-bit uniform number, plus
 * one so that it is never 0. Rate 1 samples every allocation; rate 0 never samples (Infinity).
 */
export function nextSampleDistance(rate: number, random: () => number = Math.random): number {
  if (rate === 0) return Infinity;
  if (rate === 1) return 0;
  const mean = Math.min(rate, MAX_SAMPLE_MEAN);
  const q = Math.floor(random() * 2 ** RANDOM_BITS) + 1; // 1 … 2^26
  const lg = Math.min(Math.log2(q) - RANDOM_BITS, 0);
  return Math.floor(lg * -Math.LN2 * mean) + 1;
}

/**
 * A sampled object, until its stack is symbolised into a bucket. Go records raw PCs at the sample and
 * symbolises only when a profile is written; the JavaScript equivalent is an Error object, whose
 * constructor captures the frames and whose `.stack` text (the expensive part: V8 formats and
 * resolves every frame) is made only when first read.
 */
interface Sample {
  /** Holds the captured frames; null once resolved into `bucket`. */
  capture: Error | null;
  size: number;
  bucket: Bucket | null;
  /** Freed before it was resolved: counted as freed when it is. */
  freed: boolean;
}

/** Unresolved samples kept at most (a captured Error holds a few hundred bytes); then they are resolved in one batch. */
const MAX_PENDING_SAMPLES = 4096;

export class MemProfile {
  readonly rate: number;
  private readonly random: () => number;
  /** Buckets by (object size, user frames). */
  private readonly buckets = new Map<string, Bucket>();
  /** Sampled objects still believed live, by pointer. */
  private readonly sampled = new Map<number, Sample>();
  /** Samples not yet symbolised, oldest first. */
  private pending: Sample[] = [];

  constructor(rate: number = DEFAULT_MEM_PROFILE_RATE, random: () => number = Math.random) {
    this.rate = checkMemProfileRate(rate);
    this.random = random;
  }

  nextSample(): number {
    return nextSampleDistance(this.rate, this.random);
  }

  /** A sampled allocation of `size` bytes at p: capture the caller's stack, to be charged later. */
  recordAlloc(p: number, size: number): void {
    const previous = this.sampled.get(p);
    // The address was handed out again, so its last sampled object died without our hearing of it
    // (freed by another thread, or by a collector without a hook): count that free now.
    if (previous !== undefined) this.countFree(previous);
    const sample: Sample = { capture: captureStack(), size, bucket: null, freed: false };
    this.sampled.set(p, sample);
    this.pending.push(sample);
    if (this.pending.length >= MAX_PENDING_SAMPLES) this.resolvePending();
  }

  /** Whether the object at p is a sampled one (free's test, on spans that hold sampled objects). */
  isSampled(p: number): boolean {
    return this.sampled.has(p);
  }

  /** The object at p was freed; returns whether it was a sampled one. */
  recordFree(p: number): boolean {
    const sample = this.sampled.get(p);
    if (sample === undefined) return false;
    this.sampled.delete(p);
    this.countFree(sample);
    return true;
  }

  private countFree(sample: Sample): void {
    const b = sample.bucket;
    if (b === null) {
      sample.freed = true;
      return;
    }
    b.freeObjects++;
    b.freeBytes += b.objectSize;
  }

  /**
   * Symbolises every pending sample into its bucket. Keyed by the user's part of the stack text:
   * malloc's fast and slow paths reach the same bucket, and the text is parsed only for a new bucket.
   */
  private resolvePending(): void {
    const pending = this.pending;
    this.pending = [];
    for (const sample of pending) {
      const text = sample.capture!.stack ?? '';
      sample.capture = null;
      const size = sample.size;
      const key = `${size}\n${userStackKey(text)}`;
      let b = this.buckets.get(key);
      if (b === undefined) {
        b = { stack: userFrames(text), objectSize: size, allocObjects: 0, allocBytes: 0, freeObjects: 0, freeBytes: 0 };
        this.buckets.set(key, b);
      }
      b.allocObjects++;
      b.allocBytes += size;
      sample.bucket = b;
      if (sample.freed) this.countFree(sample);
    }
  }

  /** Sampled pointers still counted as in use (for reconciling with the heap before writing). */
  sampledPointers(): number[] {
    return [...this.sampled.keys()];
  }

  /** How many sampled objects are remembered (the Map's size: its memory cost). */
  get sampledCount(): number {
    return this.sampled.size;
  }

  /** Every bucket, as Go's runtime.MemProfile(p, inuseZero=true) returns them. */
  records(): MemProfileRecord[] {
    this.resolvePending();
    return [...this.buckets.values()].map((b) => ({
      stack: b.stack,
      objectSize: b.objectSize,
      allocObjects: b.allocObjects,
      allocBytes: b.allocBytes,
      freeObjects: b.freeObjects,
      freeBytes: b.freeBytes,
    }));
  }
}
