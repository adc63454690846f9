// The terminal report: one block per finding (headline, where, the evidence in numbers, the
// stack, the fix), then the summary figures. Byte-valued evidence is printed human-readably;
// the --json output keeps raw numbers.
import { formatBytes } from './stats.js';
import type { EvidenceValue, LeakReport } from './types.js';

const byteKeys = /Bytes|bytes/;

function show(key: string, v: EvidenceValue): string {
  if (typeof v === 'number' && byteKeys.test(key)) return formatBytes(v);
  if (Array.isArray(v))
    return v.map((x) => (typeof x === 'number' && byteKeys.test(key) ? formatBytes(x) : String(x))).join(', ');
  return String(v);
}

export function renderText(report: LeakReport & { skipped?: string[] }): string {
  const out: string[] = [];
  const s = report.summary;
  out.push(
    `gomem leaks: ${s.verdict}  (${s.inputs.heapProfiles} heap profile(s), ${s.inputs.goroutineProfiles} goroutine profile(s), ${s.inputs.memstatsPoints} MemStats point(s))`,
  );
  report.findings.forEach((f, i) => {
    out.push('');
    out.push(`#${i + 1} ${f.kind}  [${f.confidence} confidence]`);
    out.push(`   ${f.title}`);
    out.push(`   at ${f.function}  ${f.file}:${f.line}`);
    const { stack, ...numbers } = f.evidence;
    out.push('   evidence:');
    for (const [k, v] of Object.entries(numbers)) out.push(`     ${k.padEnd(24)} ${show(k, v)}`);
    if (Array.isArray(stack)) {
      out.push('   stack (leaf first):');
      for (const fr of stack) out.push(`     ${String(fr)}`);
    }
    out.push(`   fix: ${f.fix}`);
  });
  out.push('');
  out.push('summary:');
  if (s.goroutines)
    out.push(
      `   goroutines        ${s.goroutines.first} -> ${s.goroutines.last} over ${s.goroutines.snapshots} snapshot(s)${s.goroutines.seconds !== undefined ? `, ${s.goroutines.seconds} s apart` : ''}`,
    );
  if (s.heap)
    out.push(
      `   live heap         ${formatBytes(s.heap.inuseFirst)} -> ${formatBytes(s.heap.inuseLast)}, objects ${s.heap.objectsFirst} -> ${s.heap.objectsLast} over ${s.heap.snapshots} profile(s)`,
    );
  if (s.series) {
    const r = s.series;
    out.push(
      `   MemStats series   ${r.points} points over ${r.seconds.toFixed(1)} s` +
        (r.numGoroutineSlopePerSec !== undefined ? `, NumGoroutine ${r.numGoroutineSlopePerSec}/s` : '') +
        (r.liveHeapEstimateSlopePerSec !== undefined
          ? `, live heap (NextGC/2) ${formatBytes(r.liveHeapEstimateSlopePerSec)}/s`
          : '') +
        (r.numGC !== undefined ? `, ${r.numGC} GCs` : ''),
    );
  }
  for (const n of s.notes) out.push(`   - ${n}`);
  if (report.skipped && report.skipped.length > 0)
    out.push(`   skipped (not a profile or series): ${report.skipped.join(', ')}`);
  return out.join('\n') + '\n';
}
