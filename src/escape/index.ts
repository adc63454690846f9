// Public API of gomem/escape: escape analysis of one Go package given as source text (no file
// system access, so it runs in browsers too). The result holds Go-format -m diagnostics and,
// for each heap allocation, the reason and the flow chain behind it.

import { analyzePackage, setSmallFrames, type EscapeMessage, type Reason } from './analyze.js';
import { EscapeInputError } from './errors.js';
import { initGoParser, parseGo, type GrammarSource } from './parse.js';
import type { SourceFile } from './ast.js';

export { GoParseError, GrammarLoadError, EscapeInputError } from './errors.js';
export type { EscapeMessage, Reason, MessageKind } from './analyze.js';
export type { FlowStep } from './graph.js';
export { initGoParser } from './parse.js';
export { formatMessages, humanReport, jsonReport } from './report.js';

export interface GoFile {
  name: string;
  text: string;
}

export interface AnalyzeOptions {
  /** tree-sitter-go.wasm bytes or URL (required in browsers). */
  grammar?: GrammarSource;
  /** web-tree-sitter's own tree-sitter.wasm bytes or URL (browsers). */
  runtimeWasm?: string | Uint8Array;
  /** Go's -smallframes: 128 KiB / 16 KiB stack limits instead of 10 MiB / 64 KiB. */
  smallFrames?: boolean;
  /** Also produce `explained`: what `-m=2` prints (flows behind each escape and leak, capture decisions). */
  explain?: boolean;
}

export interface EscapeResult {
  packageName: string;
  messages: EscapeMessage[];
  /** With `explain`: Go's -m=2 listing, -m messages included, in Go's order. */
  explained?: EscapeMessage[];
}

/** Analyses the files of one package. Throws GoParseError for a file that does not parse. */
export async function analyzeEscape(
  files: GoFile[] | Record<string, string>,
  options: AnalyzeOptions = {},
): Promise<EscapeResult> {
  const list: GoFile[] = Array.isArray(files) ? files : Object.entries(files).map(([name, text]) => ({ name, text }));
  if (list.length === 0) throw new EscapeInputError('no Go files to analyse');
  for (const f of list) {
    if (typeof f.text !== 'string' || typeof f.name !== 'string')
      throw new EscapeInputError('each file needs a string name and text');
  }
  const parser = await initGoParser(options.grammar, options.runtimeWasm);
  const parse = (name: string, text: string): SourceFile => parseGo(parser, name, text);
  const parsed = list.map((f) => parse(f.name, f.text));
  setSmallFrames(!!options.smallFrames);
  try {
    return analyzePackage(parse, parsed, { explain: !!options.explain });
  } finally {
    setSmallFrames(false);
  }
}

export type { Reason as EscapeReason };
