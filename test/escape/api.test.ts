// The library API: source text in, Go-format diagnostics and explained allocations out;
// bad input gives typed errors.
import { describe, expect, it } from 'vitest';
import { analyzeEscape, GoParseError, EscapeInputError, humanReport, jsonReport } from '../../src/escape/index.js';

const src = `package p

var sink *int

func f() {
	x := 1
	sink = &x
}

func g(p *int) *int { return p }
`;

describe('analyzeEscape', () => {
  it('reports moved-to-heap and parameter leaks with byte columns', async () => {
    const r = await analyzeEscape({ 'a.go': src });
    const lines = r.messages.map((m) => `${m.file}:${m.line}:${m.col}: ${m.text}`);
    expect(lines).toContain('a.go:6:2: moved to heap: x');
    expect(lines).toContain('a.go:10:8: leaking param: p to result ~r0 level=0');
    expect(r.packageName).toBe('p');
  });

  it('counts columns in UTF-8 bytes like Go', async () => {
    const r = await analyzeEscape({
      'u.go': 'package p\n\nvar sink *int\n\nfunc f() { var s = "é€"; _ = s; x := 1; sink = &x }\n',
    });
    const m = r.messages.find((x) => x.text === 'moved to heap: x');
    // Verified with go1.19: column 36 (UTF-16 would give 33).
    expect(m?.col).toBe(36);
  });

  it('explains the flow behind an allocation', async () => {
    const r = await analyzeEscape({ 'a.go': src });
    const m = r.messages.find((x) => x.text === 'moved to heap: x')!;
    expect(m.reason).toBe('stored into something that escapes');
    expect(m.flow?.[0]).toMatchObject({ dst: '{heap}', src: 'x', derefs: -1 });
    const human = humanReport(r.messages, r.packageName);
    expect(human).toContain('variable x');
    expect(human).toContain('the address of x flows into the heap');
    expect(human).toMatch(/summary:\n\s+1\s+stored into something that escapes/);
    const j = jsonReport(r.messages, r.packageName) as { allocations: unknown[]; summary: Record<string, number> };
    expect(j.allocations).toHaveLength(1);
    expect(j.summary['stored into something that escapes']).toBe(1);
  });

  it('throws GoParseError with file:line:col for a file that does not parse', async () => {
    const bad = 'package p\n\nfunc f() {\n\tx := \n}\n';
    await expect(analyzeEscape({ 'bad.go': bad })).rejects.toBeInstanceOf(GoParseError);
    await expect(analyzeEscape({ 'bad.go': bad })).rejects.toThrow(/^bad\.go:\d+:\d+: syntax error/);
  });

  it('rejects empty input with a typed error', async () => {
    await expect(analyzeEscape([])).rejects.toBeInstanceOf(EscapeInputError);
  });

  it('uses standard-library summaries (fmt boxes its arguments, strings.Builder stays on the stack)', async () => {
    const r = await analyzeEscape({
      'a.go':
        'package p\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc f(n int) string {\n\tfmt.Println(n)\n\tvar b strings.Builder\n\tb.WriteString("x")\n\treturn b.String()\n}\n',
    });
    const t = r.messages.map((m) => `${m.line}: ${m.text}`);
    expect(t).toContain('9: n escapes to heap');
    expect(t).toContain('9: ... argument does not escape');
    expect(t.some((x) => x.includes('moved to heap: b'))).toBe(false);
  });
});
