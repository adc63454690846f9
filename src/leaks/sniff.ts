// Recognising an input by its content, never by its name: Go writes heap and goroutine
// profiles as gzipped protobuf, the debug=1/2 goroutine dumps as text, and a MemStats series
// is JSON lines; users rename and re-compress files freely. Any input may be gzipped (the
// committed fixtures gzip their text files), so gzip is peeled first, once.
import { gunzipSync } from 'fflate';
import { classifyProfile } from './decode-pprof.js';
import { CorruptInputError, EmptyInputError, WrongInputKindError } from './errors.js';
import { looksLikeDebug1, looksLikeDebug2, parseDebug1, parseDebug2 } from './goroutine-text.js';
import { looksLikeJsonLines, parseMemStatsSeries } from './memstats.js';
import type { ParsedInput } from './types.js';

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function gunzip(source: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new CorruptInputError(source, `gzip data is corrupt or truncated (${(e as Error).message})`);
  }
}

/** True when the bytes decode as UTF-8 text without control characters other than whitespace. */
function asText(b: Uint8Array): string | undefined {
  const head = b.subarray(0, 4096);
  for (const c of head) if (c < 9 || (c > 13 && c < 32)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

export function parseInput(source: string, data: Uint8Array | string): ParsedInput {
  let bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  if (bytes.length === 0) throw new EmptyInputError(source);
  if (isGzip(bytes)) {
    bytes = gunzip(source, bytes);
    if (bytes.length === 0) throw new EmptyInputError(source);
  }
  const text = asText(bytes);
  if (text !== undefined) {
    if (text.trim() === '') throw new EmptyInputError(source);
    if (looksLikeDebug1(text)) return { kind: 'goroutine', snapshot: parseDebug1(source, text) };
    if (looksLikeDebug2(text)) return { kind: 'goroutine', snapshot: parseDebug2(source, text) };
    if (looksLikeJsonLines(text)) return { kind: 'memstats', series: parseMemStatsSeries(source, text) };
    if (text.startsWith('heap profile:')) {
      throw new WrongInputKindError(
        source,
        'a heap profile in its debug=1 text form; fetch /debug/pprof/heap without ?debug=1 (protobuf)',
      );
    }
    throw new WrongInputKindError(
      source,
      'text that is neither a goroutine dump (debug=1/2) nor a MemStats JSON-lines series',
    );
  }
  // A pprof protobuf starts with a field tag; anything else binary is reported as corrupt there.
  return classifyProfile(source, bytes);
}
