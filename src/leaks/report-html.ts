// The --html report: one self-contained page (no scripts, no external assets) with the
// findings, inline SVG line charts of the MemStats series, and small-multiple charts of each
// growing stack across snapshots. Everything user-derived is HTML-escaped.
import { formatBytes } from './stats.js';
import type { LeakReport, SeriesCurve } from './types.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: number, unit: 'bytes' | 'count' | 'goroutines'): string {
  return unit === 'bytes' ? formatBytes(v) : Math.round(v).toLocaleString('en');
}

function lineChart(
  title: string,
  points: Array<[number, number]>,
  unit: 'bytes' | 'count' | 'goroutines',
  xLabel: string,
): string {
  const W = 420,
    H = 160,
    L = 70,
    B = 24,
    T = 20,
    R = 10;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const y0 = Math.min(0, ...ys),
    y1 = Math.max(...ys, 1);
  const px = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y: number) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - B - T);
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
  const dots =
    points.length <= 12
      ? points.map((p) => `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3"/>`).join('')
      : '';
  return `<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<text x="${L}" y="13" class="t">${esc(title)}</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" class="ax"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" class="ax"/>
<text x="${L - 4}" y="${py(y1) + 4}" text-anchor="end">${esc(fmt(y1, unit))}</text>
<text x="${L - 4}" y="${py(y0) + 4}" text-anchor="end">${esc(fmt(y0, unit))}</text>
<text x="${W - R}" y="${H - 6}" text-anchor="end">${esc(xLabel)}</text>
<path d="${path}" class="ln"/>${dots}</svg></figure>`;
}

function curveChart(c: SeriesCurve): string {
  return lineChart(c.name, c.points, c.unit, `${c.points[c.points.length - 1]![0].toFixed(1)} s`);
}

export function renderHtml(report: LeakReport): string {
  const s = report.summary;
  const findings = report.findings
    .map((f, i) => {
      const { stack, ...numbers } = f.evidence;
      const rows = Object.entries(numbers)
        .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(Array.isArray(v) ? v.join(', ') : String(v))}</td></tr>`)
        .join('');
      const frames = Array.isArray(stack) ? `<pre>${esc(stack.map(String).join('\n'))}</pre>` : '';
      return `<section class="f ${f.confidence}"><h2>#${i + 1} <code>${esc(f.kind)}</code> <span class="c">${esc(f.confidence)} confidence</span></h2>
<p>${esc(f.title)}</p><p>at <code>${esc(f.function)}</code> <code>${esc(f.file)}:${f.line}</code></p>
<table>${rows}</table>${frames}<p class="fix"><b>Fix:</b> ${esc(f.fix)}</p></section>`;
    })
    .join('\n');
  const stacks = report.growingStacks
    .map(
      (g) =>
        `<div class="g">${lineChart(
          g.label,
          g.values.map((v, i) => [i + 1, v] as [number, number]),
          g.unit,
          'snapshot',
        )}<pre>${esc(g.stack.join('\n'))}</pre></div>`,
    )
    .join('\n');
  const notes = s.notes.map((n) => `<li>${esc(n)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gomem leaks: ${esc(s.verdict)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222}
code,pre{font:12px ui-monospace,monospace}pre{background:#f6f6f6;padding:.5em;overflow:auto}
.f{border-left:4px solid #999;padding:.2em 1em;margin:1em 0}.f.high{border-color:#c0392b}.f.medium{border-color:#e67e22}.f.low{border-color:#95a5a6}
.c{font-size:12px;color:#666}table{border-collapse:collapse}th{text-align:left;padding-right:1em;font-weight:500;color:#555}
svg text{font:10px sans-serif;fill:#555}svg .t{font-size:12px;fill:#222}.ax{stroke:#aaa}.ln{fill:none;stroke:#2c7be5;stroke-width:1.5}circle{fill:#2c7be5}
figure{display:inline-block;margin:.5em}.g{display:flex;gap:1em;align-items:flex-start}
</style></head><body>
<h1>gomem leaks: ${esc(s.verdict)}</h1>
<p>${s.inputs.heapProfiles} heap profile(s), ${s.inputs.goroutineProfiles} goroutine profile(s), ${s.inputs.memstatsPoints} MemStats point(s).</p>
${findings || '<p>No leak found.</p>'}
${notes ? `<h2>Notes</h2><ul>${notes}</ul>` : ''}
${report.curves.length ? `<h2>MemStats series</h2>${report.curves.map(curveChart).join('\n')}` : ''}
${stacks ? `<h2>Growing stacks</h2>${stacks}` : ''}
</body></html>
`;
}
