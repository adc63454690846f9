// Our own corpus: each Go file under test/escape/corpus has the output of Go 1.19's
// `go tool compile -p=p -m -l` next to it (.golden). The analyser must reproduce it message by
// message — same text, line and byte column — except for the lines listed as known gaps.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeEscape, formatMessages } from '../../src/escape/index.js';

const dir = join(import.meta.dirname, 'corpus');
const files = readdirSync(dir).filter((f) => f.endsWith('.go'));

/** Messages Go prints that we do not model yet (none left: package-level initialisers are in pkginit.go). */
const knownGaps = new Set<string>();

describe('escape corpus vs go1.19 goldens', () => {
  it('has a corpus covering every reason', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it('pkginit.go: only the run-time parts of package-level initialisers, in init order, after the functions', async () => {
    const text = readFileSync(join(dir, 'pkginit.go'), 'utf8');
    const golden = readFileSync(join(dir, 'pkginit.golden'), 'utf8').split('\n').filter(Boolean);
    const r = await analyzeEscape([{ name: 'pkginit.go', text }]);
    // Go's order, not just Go's set: the generated init comes last, y before w.
    expect(formatMessages(r.messages).split('\n')).toEqual(golden);
    expect(r.messages.find((m) => m.line === 39)?.func).toBe('init');
    expect(r.messages.find((m) => m.line === 31)?.func).toBe('glob..func1');
  });
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const golden = readFileSync(join(dir, f.replace(/\.go$/, '.golden')), 'utf8')
        .split('\n')
        .filter(Boolean);
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
