// Typed errors of the escape analyser. Every failure the user can cause (a file that does not
// parse, a grammar that cannot be loaded, a bad command line) surfaces as one of these, with
// a name tools can switch on and a message that points at the source position.

export class GoParseError extends Error {
  override name = 'GoParseError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly col: number,
    detail: string,
  ) {
    super(`${file}:${line}:${col}: syntax error: ${detail}`);
  }
}

export class GrammarLoadError extends Error {
  override name = 'GrammarLoadError';
}

export class EscapeInputError extends Error {
  override name = 'EscapeInputError';
}
