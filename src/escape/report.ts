// Output formats: Go's -m lines (file:line:col: text, in emission order), a report for people
// (per function, each heap allocation with its reason and the flow that causes it, then a
// count per reason), and JSON for tools.

import type { EscapeMessage, Reason } from './analyze.js';
import type { FlowStep } from './graph.js';

export function formatMessages(ms: EscapeMessage[], opts: { columns?: boolean } = {}): string {
  return ms.map((m) => `${m.file}:${m.line}${opts.columns === false ? '' : ':' + m.col}: ${m.text}`).join('\n');
}

const reasonOrder: Reason[] = [
  'returned pointer',
  'interface conversion',
  'closure capture',
  'dynamic size or growth',
  'too large for the stack',
  'stored into something that escapes',
  'passed to a function that keeps it',
];

export function isAllocation(m: EscapeMessage): boolean {
  return m.kind === 'moved' || m.kind === 'escapes';
}

function plainFlow(flow: FlowStep[]): string[] {
  return flow.map((s) => {
    const what =
      s.derefs < 0
        ? `the address of ${s.src}`
        : s.derefs === 0
          ? s.src
          : `the value ${'*'.repeat(s.derefs)}${s.src} points to`;
    const via = s.notes.length
      ? ` (${s.notes.map((n) => `${n.why} at ${n.pos.replace(/^.*\//, '')}`).join(', ')})`
      : '';
    return `${what} flows into ${s.dst === '{heap}' ? 'the heap' : s.dst}${via}`;
  });
}

export function humanReport(ms: EscapeMessage[], packageName: string): string {
  const allocs = ms.filter(isAllocation);
  const lines: string[] = [`package ${packageName}: ${allocs.length} heap allocation${allocs.length === 1 ? '' : 's'}`];
  const byFunc = new Map<string, EscapeMessage[]>();
  for (const m of allocs) {
    const list = byFunc.get(m.func) ?? [];
    list.push(m);
    byFunc.set(m.func, list);
  }
  for (const [fn, list] of byFunc) {
    lines.push('', `func ${fn || '(package)'}:`);
    for (const m of list) {
      const what =
        m.kind === 'moved'
          ? `variable ${m.text.replace('moved to heap: ', '')}`
          : m.text.replace(/ escapes to heap$/, '');
      lines.push(
        `  ${m.file}:${m.line}:${m.col}: ${what} — heap allocated: ${m.reason ?? 'stored into something that escapes'}`,
      );
      for (const f of plainFlow(m.flow ?? [])) lines.push(`      ${f}`);
    }
  }
  const counts = new Map<Reason, number>();
  for (const m of allocs)
    counts.set(
      m.reason ?? 'stored into something that escapes',
      (counts.get(m.reason ?? 'stored into something that escapes') ?? 0) + 1,
    );
  lines.push('', 'summary:');
  for (const r of reasonOrder) if (counts.get(r)) lines.push(`  ${String(counts.get(r)).padStart(4)}  ${r}`);
  if (allocs.length === 0) lines.push('  nothing escapes to the heap');
  return lines.join('\n');
}

export function jsonReport(ms: EscapeMessage[], packageName: string): object {
  const allocs = ms.filter(isAllocation);
  const summary: Record<string, number> = {};
  for (const m of allocs)
    summary[m.reason ?? 'stored into something that escapes'] =
      (summary[m.reason ?? 'stored into something that escapes'] ?? 0) + 1;
  return {
    package: packageName,
    allocations: allocs.map((m) => ({
      file: m.file,
      line: m.line,
      col: m.col,
      func: m.func,
      message: m.text,
      reason: m.reason,
      flow: m.flow ?? [],
    })),
    summary,
    messages: ms.map((m) => ({ file: m.file, line: m.line, col: m.col, func: m.func, kind: m.kind, message: m.text })),
  };
}
