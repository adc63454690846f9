// Call stacks of the JavaScript that allocates, for the heap profile.
//
// Go's profiler walks return PCs and later drops the runtime's own leading frames (runtime.mallocgc and
// friends) so that a sample is charged to the user's line. JavaScript has no PCs; the portable way to
// see the stack is the text of `new Error().stack`, which every engine fills in (V8: "    at fn
// (file:line:col)"; SpiderMonkey and JavaScriptCore: "fn@file:line:col"). We parse that text, and drop
// leading frames that belong to gomem's own allocator and profiler files — recognised by living in the
// same directory tree as this module — exactly as Go drops leading runtime.* frames.

/** One frame of a captured stack: leaf first in a stack. */
export interface StackFrame {
  /** The function's name as the engine reports it ("Heap.malloc", "main"), or "(anonymous)". */
  readonly function: string;
  /** Script URL or path, without a query string. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The most frames kept per sample, as Go 1.19 keeps 32 PCs (newer Go up to 128): deeper stacks cost more to capture. */
export const MAX_STACK_DEPTH = 32;

function cleanFile(file: string): string {
  const q = file.search(/[?#]/);
  const bare = q < 0 ? file : file.slice(0, q);
  // "async fn" frames and eval wrappers keep the useful location last.
  return bare.startsWith('file://') ? decodeURI(bare.slice('file://'.length)) : bare;
}

/** One frame line, V8's "at fn (file:line:col)" / "at file:line:col" or Gecko's "fn@file:line:col"; null if not a frame. */
function parseFrame(raw: string): StackFrame | null {
  const line = raw.trim();
  let fn: string;
  let loc: string;
  if (line.startsWith('at ')) {
    const rest = line.slice(3);
    const open = rest.endsWith(')') ? rest.lastIndexOf(' (') : -1;
    fn = open < 0 ? '' : rest.slice(0, open);
    loc = open < 0 ? rest : rest.slice(open + 2, -1);
  } else {
    const at = line.indexOf('@');
    if (at < 0) return null;
    fn = line.slice(0, at);
    loc = line.slice(at + 1);
  }
  // Plain string scanning rather than a regular expression: this runs at every sample.
  const c2 = loc.lastIndexOf(':');
  const c1 = c2 > 0 ? loc.lastIndexOf(':', c2 - 1) : -1;
  if (c1 < 0) return null;
  const lineNo = Number(loc.slice(c1 + 1, c2));
  const column = Number(loc.slice(c2 + 1));
  if (!Number.isInteger(lineNo) || !Number.isInteger(column)) return null;
  if (fn.startsWith('async ')) fn = fn.slice('async '.length);
  return { function: fn === '' ? '(anonymous)' : fn, file: cleanFile(loc.slice(0, c1)), line: lineNo, column };
}

/** Parses an Error.stack text into frames (lines that are not frames, like the message, are skipped). */
export function parseStack(text: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of text.split('\n')) {
    const f = parseFrame(raw);
    if (f !== null) frames.push(f);
  }
  return frames;
}

/** gomem's own source root (the directory holding runtime/ and profile/), found from this module. */
function ownRoot(): string | null {
  const here = parseStack(new Error().stack ?? '')[0];
  if (here === undefined) return null;
  const cut = here.file.lastIndexOf('/profile/');
  return cut < 0 ? null : here.file.slice(0, cut);
}

const ROOT = ownRoot();
const INTERNAL_DIRS = ROOT === null ? [] : [`${ROOT}/runtime/`, `${ROOT}/profile/`];
/** The same directories as they appear in raw stack text (V8 writes file:// URLs for ES modules). */
const INTERNAL_DIRS_RAW = [...new Set(INTERNAL_DIRS.flatMap((d) => [d, encodeURI(d)]))];

/** Whether a frame is gomem's allocator or profiler at work (Go's runtime.* frames). */
export function isInternalFrame(frame: StackFrame): boolean {
  for (const dir of INTERNAL_DIRS) if (frame.file.startsWith(dir)) return true;
  return false;
}

/**
 * Captures the caller's stack (up to MAX_STACK_DEPTH frames past gomem's own) without formatting it:
 * the engine records the frames now and makes the `.stack` text, the costly part, when it is first
 * read. Read it with userStackKey / userFrames.
 */
export function captureStack(): Error {
  const limited = 'stackTraceLimit' in Error;
  const old = limited ? (Error as { stackTraceLimit?: number }).stackTraceLimit : undefined;
  if (limited) (Error as { stackTraceLimit?: number }).stackTraceLimit = MAX_STACK_DEPTH + 8;
  const capture = new Error();
  if (limited) (Error as { stackTraceLimit?: number }).stackTraceLimit = old;
  return capture;
}

/**
 * The part of a captured stack text from the first frame that is not gomem's own: a cheap exact key
 * for the user's stack (malloc's fast and slow paths give the same key), found without parsing.
 */
export function userStackKey(text: string): string {
  let start = text.startsWith('Error') ? text.indexOf('\n') + 1 : 0; // V8's message line
  if (start === 0 && text.startsWith('Error')) return '';
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    let internal = false;
    for (const dir of INTERNAL_DIRS_RAW) if (line.includes(dir)) internal = true;
    if (!internal || end < 0) return text.slice(start);
    start = end + 1;
  }
}

/** Frames of a captured stack text with gomem's leading frames dropped, at most MAX_STACK_DEPTH. */
export function userFrames(text: string): StackFrame[] {
  const all = parseStack(text);
  let first = 0;
  while (first < all.length && isInternalFrame(all[first]!)) first++;
  const frames = first === all.length ? all : all.slice(first);
  return frames.slice(0, MAX_STACK_DEPTH);
}
