// -m=2: the explanation lines Go 1.19 prints (`x escapes to heap:`, `flow: dst = &src:`,
// `from where (why) at pos`, `parameter p leaks to ...`, `f capturing by value: ...`) must come
// out identical, in Go's order, for every Go file that has a `.m2.golden` next to it (the
// output of `go tool compile -p=p -m=2 -l`).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeEscape, formatMessages } from '../../src/escape/index.js';

const dirs = ['explain', 'corpus'].map((d) => join(import.meta.dirname, d));
const cases = dirs.flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.go') && existsSync(join(d, f.replace(/\.go$/, '.m2.golden'))))
    .map((f) => ({ d, f })),
);

describe('-m=2 explanations vs go1.19 goldens', () => {
  it('has goldens', () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const { d, f } of cases) {
    it(f, async () => {
      const text = readFileSync(join(d, f), 'utf8');
      const golden = readFileSync(join(d, f.replace(/\.go$/, '.m2.golden')), 'utf8')
        .split('\n')
        .filter(Boolean);
      const r = await analyzeEscape([{ name: f, text }], { explain: true });
      expect(
        formatMessages(r.explained ?? [])
          .split('\n')
          .filter(Boolean),
      ).toEqual(golden);
    });
  }

  it('leaves the -m messages alone and is absent unless asked for', async () => {
    const text = readFileSync(join(dirs[0]!, 'flows.go'), 'utf8');
    const plain = await analyzeEscape([{ name: 'flows.go', text }]);
    const explained = await analyzeEscape([{ name: 'flows.go', text }], { explain: true });
    expect(plain.explained).toBeUndefined();
    expect(explained.messages).toEqual(plain.messages);
    expect(explained.explained!.filter((m) => m.kind !== 'explain')).toEqual(plain.messages);
  });
});
