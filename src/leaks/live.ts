// Live mode: a URL names a running program's net/http/pprof endpoint. We take the same set of
// files a person would fetch by hand, twice, --interval apart: heap?gc=1 (a GC first, so inuse
// is live memory), goroutine (debug=0, which keeps the runtime frames) and goroutine?debug=2
// (wait reasons and "created by"). If the program also exposes expvar's /debug/vars, its
// memstats are polled about once a second while we wait, giving a MemStats series for free.
import { UnreadableInputError } from './errors.js';
import { parseInput } from './sniff.js';
import { parseMemStatsSeries } from './memstats.js';
import type { LoadOptions } from './load.js';
import type { ParsedInput } from './types.js';

export function pprofBase(url: string): string {
  const u = new URL(url);
  const at = u.pathname.indexOf('/debug/pprof');
  u.pathname = at >= 0 ? u.pathname.slice(0, at) + '/debug/pprof/' : u.pathname.replace(/\/?$/, '/debug/pprof/');
  u.search = '';
  u.hash = '';
  return u.toString();
}

async function fetchBytes(url: string, timeoutMs = 60_000): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new UnreadableInputError(url, `cannot fetch (${cause ?? (e as Error).message})`);
  }
  if (!res.ok) throw new UnreadableInputError(url, `HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function fetchVars(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) return undefined;
    const vars = (await res.json()) as { memstats?: Record<string, unknown>; App?: Record<string, unknown> };
    if (!vars.memstats) return undefined;
    return JSON.stringify({
      ...vars.memstats,
      PauseNs: undefined,
      PauseEnd: undefined,
      BySize: undefined,
      Time: new Date().toISOString(),
      ...(vars.App ? { App: vars.App } : {}),
    });
  } catch {
    return undefined;
  }
}

export async function captureLive(
  url: string,
  opts: LoadOptions,
): Promise<{ parsed: ParsedInput[]; sources: string[] }> {
  const base = pprofBase(url);
  const varsUrl = new URL('/debug/vars', base).toString();
  const interval = opts.intervalMs ?? 10_000;
  const progress = opts.onProgress ?? (() => {});
  const parsed: ParsedInput[] = [];
  const sources: string[] = [];
  const snapshot = async (n: number) => {
    for (const path of ['heap?gc=1', 'goroutine', 'goroutine?debug=2']) {
      const full = base + path;
      const name = `${full} #${n}`;
      parsed.push(parseInput(name, await fetchBytes(full)));
      sources.push(name);
    }
  };
  const lines: string[] = [];
  progress(`snapshot 1 from ${base}`);
  await snapshot(1);
  const first = await fetchVars(varsUrl);
  if (first) lines.push(first);
  const start = Date.now();
  let nextProgress = 0;
  while (Date.now() - start < interval) {
    const left = interval - (Date.now() - start);
    if (Date.now() >= nextProgress) {
      progress(`waiting for snapshot 2: ${Math.ceil(left / 1000)} s left`);
      nextProgress = Date.now() + 1000;
    }
    await new Promise((r) => setTimeout(r, Math.min(left, 1000)));
    if (first) {
      const line = await fetchVars(varsUrl);
      if (line) lines.push(line);
    }
  }
  progress(`snapshot 2 from ${base}`);
  await snapshot(2);
  if (lines.length >= 2) {
    parsed.push({ kind: 'memstats', series: parseMemStatsSeries(varsUrl, lines.join('\n')) });
    sources.push(varsUrl);
  }
  return { parsed, sources };
}
