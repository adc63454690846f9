// Typed errors for the leak doctor. Every input problem names the file (or URL) it came from,
// so a user feeding a directory of twenty profiles learns which one is bad; callers tell the
// kinds apart by class or by `name`, never by parsing messages.

/** Base class: something about one input (or the set of inputs) prevents a diagnosis. */
export class LeakInputError extends Error {
  override name = 'LeakInputError';
  constructor(
    /** The file path, URL or caller-given name of the offending input. */
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}

/** The input has no bytes (or only whitespace). */
export class EmptyInputError extends LeakInputError {
  override name = 'EmptyInputError';
  constructor(source: string) {
    super(source, 'input is empty');
  }
}

/** The input looks like a format we read (gzip, pprof protobuf, goroutine text, JSON lines) but is damaged or cut short. */
export class CorruptInputError extends LeakInputError {
  override name = 'CorruptInputError';
}

/** The input is readable but is not something the leak doctor diagnoses (a CPU profile, a Go source file, ...). */
export class WrongInputKindError extends LeakInputError {
  override name = 'WrongInputKindError';
}

/** The input path, directory or URL cannot be read at all. */
export class UnreadableInputError extends LeakInputError {
  override name = 'UnreadableInputError';
}

/** No inputs were given, or a directory held nothing the doctor reads. */
export class NoInputsError extends LeakInputError {
  override name = 'NoInputsError';
}
