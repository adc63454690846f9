// Turning command-line style inputs (paths, directories, URLs, or in-memory buffers) into
// parsed snapshots. Node-only (node:fs is imported lazily so the rest of the package stays
// usable in a browser with in-memory inputs). Explicit files must be readable inputs; inside a
// directory, files that are not recognised are skipped and listed, but damaged profiles still
// fail, since a silently ignored corrupt snapshot would change the diagnosis.
import { LeakInputError, NoInputsError, UnreadableInputError, WrongInputKindError } from './errors.js';
import { parseInput } from './sniff.js';
import type { ParsedInput } from './types.js';

export type LeakInput = string | { name: string; data: Uint8Array | string };

export interface LoadOptions {
  /** For URL inputs: milliseconds between the two snapshots (default 10 000). */
  intervalMs?: number;
  /** Progress messages (URL mode waits). */
  onProgress?: (message: string) => void;
}

export interface Loaded {
  parsed: ParsedInput[];
  sources: string[];
  skipped: string[];
}

export function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

export async function loadInputs(inputs: LeakInput[], opts: LoadOptions = {}): Promise<Loaded> {
  const out: Loaded = { parsed: [], sources: [], skipped: [] };
  for (const input of inputs) {
    if (typeof input !== 'string') {
      out.parsed.push(parseInput(input.name, input.data));
      out.sources.push(input.name);
    } else if (isUrl(input)) {
      const { captureLive } = await import('./live.js');
      const live = await captureLive(input, opts);
      out.parsed.push(...live.parsed);
      out.sources.push(...live.sources);
    } else {
      await loadPath(input, out);
    }
  }
  if (out.parsed.length === 0) {
    throw new NoInputsError(
      inputs.map((i) => (typeof i === 'string' ? i : i.name)).join(', ') || '(no inputs)',
      'no heap profile, goroutine profile or MemStats series found',
    );
  }
  return out;
}

async function loadPath(path: string, out: Loaded): Promise<void> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (e) {
    throw new UnreadableInputError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (stat.isDirectory()) {
    const names = (await fs.readdir(path)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    for (const name of names) {
      const file = join(path, name);
      if (!(await fs.stat(file)).isFile()) continue;
      try {
        out.parsed.push(parseInput(file, await fs.readFile(file)));
        out.sources.push(file);
      } catch (e) {
        if (e instanceof WrongInputKindError) out.skipped.push(file);
        else throw e;
      }
    }
    return;
  }
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (e) {
    throw new UnreadableInputError(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  out.parsed.push(parseInput(path, bytes));
  out.sources.push(path);
}

export { LeakInputError };
