// Typed errors of the profiler and its readers: bad input is named, and never half-read.

import { GomemError } from '../runtime/errors.js';

/** A heap profile or trace that cannot be read: not gzip, truncated, not a pprof heap profile. */
export class ProfileFormatError extends GomemError {
  override name = 'ProfileFormatError';
}

/** A profiling option that cannot be used (a negative or fractional rate). */
export class ProfileConfigError extends GomemError {
  override name = 'ProfileConfigError';
}
