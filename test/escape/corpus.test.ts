// Our own corpus: each Go file under test/escape/corpus has the output of Go 1.19's
// `go tool compile -p=p -m -l` next to it (.golden). The analyser must reproduce it message by
// message — same text, line and byte column — except for the lines listed as known gaps.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeEscape, formatMessages } from '../../src/escape/index.js';

const dir = join(import.meta.dirname, 'corpus');
const files = readdirSync(dir).filter((f) => f.endsWith('.go'));

/** Messages Go prints that we do not model yet (package-level initialisers). */
const knownGaps = new Set(['stored.go:9:29: map[string]*Node{} escapes to heap']);

describe('escape corpus vs go1.19 goldens', () => {
  it('has a corpus covering every reason', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
  });
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const golden = readFileSync(join(dir, f.replace(/\.go$/, '.golden')), 'utf8').split('\n').filter(Boolean);
      const r = await analyzeEscape([{ name: f, text }]);
      const mine = formatMessages(r.messages).split('\n').filter(Boolean);
      const want = golden.filter((l) => !knownGaps.has(l)).sort();
      expect(mine.sort()).toEqual(want);
    });
  }
});

describe('reasons in the human report', () => {
  const reasonOf = async (name: string, line: number) => {
    const text = readFileSync(join(dir, name), 'utf8');
    const r = await analyzeEscape([{ name, text }]);
    const m = r.messages.find((x) => x.line === line && (x.kind === 'moved' || x.kind === 'escapes'));
    return m?.reason;
  };
  it('classifies each seed reason', async () => {
    expect(await reasonOf('returned.go', 9)).toBe('returned pointer');
    expect(await reasonOf('iface.go', 22)).toBe('interface conversion');
    expect(await reasonOf('closure.go', 6)).toBe('closure capture');
    expect(await reasonOf('dynamic.go', 6)).toBe('dynamic size or growth');
    expect(await reasonOf('dynamic.go', 23)).toBe('too large for the stack');
    expect(await reasonOf('dynamic.go', 28)).toBe('too large for the stack');
    expect(await reasonOf('stored.go', 12)).toBe('stored into something that escapes');
    expect(await reasonOf('calls.go', 18)).toBe('passed to a function that keeps it');
  });
});
