// Generic code: Go 1.19 escape-analyses only the shape instantiations of a generic function,
// so it prints no parameter diagnostics for the generic body itself; callers are analysed as
// usual. The allocation messages inside the body (printed by Go with shape type names such as
// `[]go.shape.string_1`) are not compared: we print the declared type parameter instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeEscape, formatMessages } from '../../src/escape/index.js';

describe('generics', () => {
  it('analyses a package with type parameters like go1.19 -m -l', async () => {
    const text = readFileSync(join(import.meta.dirname, 'explain', 'generics.go'), 'utf8');
    const r = await analyzeEscape([{ name: 'generics.go', text }]);
    const lines = formatMessages(r.messages).split('\n');
    // From `go tool compile -p=p -m -l generics.go`.
    for (const want of [
      'generics.go:17:10: leaking param: p',
      'generics.go:20:18: []int{...} does not escape',
      'generics.go:20:23: func literal does not escape',
    ]) {
      expect(lines).toContain(want);
    }
    expect(lines.some((l) => l.startsWith('generics.go:10:13: make(') && l.endsWith(' escapes to heap'))).toBe(true);
    // No parameter tags for the generic Push and Map themselves (lines 7 and 9).
    expect(r.messages.filter((m) => m.line === 7 || m.line === 9)).toEqual([]);
  });
});
