// Typed errors of the collector's API. Like the allocator's, they are thrown before anything changes.

import { GomemError } from '../errors.js';

/** A bad type description (defineType / arrayType) or an object used against its type. */
export class GcTypeError extends GomemError {
  override name = 'GcTypeError';
}

/** A misuse of roots, scopes or finalizers (released handle, async scope function...). */
export class GcUsageError extends GomemError {
  override name = 'GcUsageError';
}
