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

/** The most frames kept per sample (Go 1.19 keeps 32 PCs; newer Go up to 128). */
export const MAX_STACK_DEPTH = 64;

const V8_FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;
const GECKO_FRAME = /^(.*?)@(.*?):(\d+):(\d+)$/;

function cleanFile(file: string): string {
  const q = file.search(/[?#]/);
  const bare = q < 0 ? file : file.slice(0, q);
  // "async fn" frames and eval wrappers keep the useful location last.
  return bare.startsWith('file://') ? decodeURI(bare.slice('file://'.length)) : bare;
}

/** Parses an Error.stack text into frames (lines that are not frames, like the message, are skipped). */
export function parseStack(text: string): StackFrame[] {
  const frames: StackFrame[] = [];
  for (const raw of text.split('\n')) {
    const m = V8_FRAME.exec(raw) ?? GECKO_FRAME.exec(raw.trim());
    if (m === null) continue;
    let fn = (m[1] ?? '').trim();
    if (fn.startsWith('async ')) fn = fn.slice('async '.length);
    frames.push({ function: fn === '' ? '(anonymous)' : fn, file: cleanFile(m[2]!), line: Number(m[3]), column: Number(m[4]) });
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

/** Whether a frame is gomem's allocator or profiler at work (Go's runtime.* frames). */
export function isInternalFrame(frame: StackFrame): boolean {
  for (const dir of INTERNAL_DIRS) if (frame.file.startsWith(dir)) return true;
  return false;
}

/**
 * The caller's stack, leaf first, without gomem's own leading frames (kept if nothing else remains, as
 * Go keeps runtime frames of a runtime-only stack). Returns the raw text too: it is the cheapest key
 * to group identical stacks by before parsing.
 */
export function captureStackText(): string {
  const limited = 'stackTraceLimit' in Error;
  const old = limited ? (Error as { stackTraceLimit?: number }).stackTraceLimit : undefined;
  if (limited) (Error as { stackTraceLimit?: number }).stackTraceLimit = MAX_STACK_DEPTH + 16;
  const text = new Error().stack ?? '';
  if (limited) (Error as { stackTraceLimit?: number }).stackTraceLimit = old;
  return text;
}

/** Frames of a captured stack text with gomem's leading frames dropped, at most MAX_STACK_DEPTH. */
export function userFrames(text: string): StackFrame[] {
  const all = parseStack(text);
  let first = 0;
  while (first < all.length && isInternalFrame(all[first]!)) first++;
  const frames = first === all.length ? all : all.slice(first);
  return frames.slice(0, MAX_STACK_DEPTH);
}
