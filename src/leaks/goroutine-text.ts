// Readers for the two text forms of the goroutine profile.
//  debug=1: "goroutine profile: total N", then groups "COUNT @ pc pc ..." followed by
//           "#\tpc\tfunc+off\tfile:line" lines. Leading runtime frames are not printed, so the
//           blocking primitive is only recoverable by naming the PCs from a debug=0 profile.
//  debug=2: one entry per goroutine, "goroutine ID [state(, N minutes)(, locked to thread)]:",
//           "func(args)" / "\tfile:line +0xoff" pairs, and "created by func( in goroutine N)".
//           Identical (state, stack) entries are folded into one group.
import { CorruptInputError } from './errors.js';
import type { Frame, GoroutineGroup, GoroutineSnapshot } from './types.js';

export function looksLikeDebug1(text: string): boolean {
  return /^goroutine profile: total \d+/.test(text);
}

export function looksLikeDebug2(text: string): boolean {
  return /^goroutine \d+ \[[^\]]*\]:/.test(text);
}

function splitFileLine(s: string): { file: string; line: number } | undefined {
  const m = /^(.*):(\d+)(?: \+0x[0-9a-f]+)?$/.exec(s.trim());
  return m ? { file: m[1]!, line: Number(m[2]) } : undefined;
}

export function parseDebug1(source: string, text: string): GoroutineSnapshot {
  const lines = text.split('\n');
  const total = Number(/^goroutine profile: total (\d+)/.exec(lines[0] ?? '')?.[1]);
  const groups: GoroutineGroup[] = [];
  let current: GoroutineGroup | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const head = /^(\d+) @((?: 0x[0-9a-f]+)*)\s*$/.exec(line);
    if (head) {
      current = {
        count: Number(head[1]),
        stack: [],
        pcs: head[2]!
          .trim()
          .split(/\s+/)
          .filter(Boolean)
          .map((h) => parseInt(h, 16)),
      };
      groups.push(current);
      continue;
    }
    if (line.startsWith('# labels:')) continue;
    const frame = /^#\t0x[0-9a-f]+\t(\S+?)\+0x[0-9a-f]+\t(.*)$/.exec(line);
    if (frame && current) {
      const fl = splitFileLine(frame[2]!);
      if (!fl) throw new CorruptInputError(source, `debug=1 goroutine profile line ${i + 1}: bad file:line`);
      current.stack.push({ function: frame[1]!, ...fl });
      continue;
    }
    if (/^#\t0x[0-9a-f]+\s*$/.test(line)) continue; // an unsymbolized PC
    throw new CorruptInputError(
      source,
      `debug=1 goroutine profile line ${i + 1} is not understood: ${JSON.stringify(line.slice(0, 60))}`,
    );
  }
  const counted = groups.reduce((n, g) => n + g.count, 0);
  if (groups.length === 0 || counted !== total) {
    throw new CorruptInputError(
      source,
      `debug=1 goroutine profile is truncated (header says ${total} goroutines, groups hold ${counted})`,
    );
  }
  return { source, format: 'debug=1', total, groups };
}

/** Strips the argument list: "main.watch(0xc0000c64c0, 0x0?)" -> "main.watch", keeping "(*T)" receivers. */
function functionName(callLine: string): string {
  const s = callLine.trim();
  if (s.endsWith('(...)')) return s.slice(0, -5);
  const open = s.lastIndexOf('(');
  return open > 0 && s.endsWith(')') ? s.slice(0, open) : s;
}

export function parseDebug2(source: string, text: string): GoroutineSnapshot {
  const entries = text
    .split(/\n\s*\n/)
    .map((e) => e.trim())
    .filter(Boolean);
  const byKey = new Map<string, GoroutineGroup>();
  let total = 0;
  for (const entry of entries) {
    const lines = entry.split('\n');
    const head = /^goroutine \d+ \[([^\]]*)\]:$/.exec(lines[0]!);
    if (!head)
      throw new CorruptInputError(
        source,
        `debug=2 goroutine dump: entry does not start with "goroutine N [state]:" (${JSON.stringify(lines[0]!.slice(0, 60))})`,
      );
    const parts = head[1]!.split(', ');
    const waitReason = parts[0]!;
    const minutesPart = parts.find((p) => /^\d+ minutes$/.test(p));
    const waitMinutes = minutesPart ? parseInt(minutesPart, 10) : undefined;
    const stack: Frame[] = [];
    let createdBy: Frame | undefined;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.startsWith('...')) continue; // "...additional frames elided..."
      const created = /^created by (\S+)(?: in goroutine \d+)?$/.exec(line);
      const next = lines[i + 1];
      const fl = next !== undefined && next.startsWith('\t') ? splitFileLine(next) : undefined;
      if (!fl)
        throw new CorruptInputError(
          source,
          `debug=2 goroutine dump is truncated or malformed near ${JSON.stringify(line.slice(0, 60))}`,
        );
      if (created) createdBy = { function: created[1]!, ...fl };
      else stack.push({ function: functionName(line), ...fl });
      i++;
    }
    total++;
    const key = waitReason + '\n' + stack.map((f) => `${f.function}:${f.line}`).join('\n');
    const group = byKey.get(key);
    if (group) {
      group.count++;
      if (waitMinutes !== undefined) group.waitMinutes = Math.max(group.waitMinutes ?? 0, waitMinutes);
    } else {
      byKey.set(key, {
        count: 1,
        stack,
        waitReason,
        ...(waitMinutes !== undefined ? { waitMinutes } : {}),
        ...(createdBy ? { createdBy } : {}),
      });
    }
  }
  return { source, format: 'debug=2', total, groups: [...byKey.values()] };
}
