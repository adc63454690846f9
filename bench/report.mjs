// Turning measurements into the readable table and the target verdicts.
//
// Every row is one workload variant; every allocator gets "ns/op (ratio)" where the ratio is its
// ns/op divided by ours: above 1 it is slower than ours, below 1 faster. Targets are judged from the
// same medians the table prints.

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function fmtNs(ns) {
  if (!Number.isFinite(ns)) return '—';
  if (ns >= 100_000) return `${(ns / 1000).toFixed(0)}µs`;
  if (ns >= 10_000) return `${(ns / 1000).toFixed(1)}µs`;
  if (ns >= 100) return ns.toFixed(0);
  return ns.toFixed(1);
}

function fmtRatio(r) {
  if (!Number.isFinite(r)) return '';
  return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

function pad(s, n, left = false) {
  s = String(s);
  return s.length >= n ? s : left ? s + ' '.repeat(n - s.length) : ' '.repeat(n - s.length) + s;
}

/**
 * rows: [{ title, cells: { [allocator]: { ns, note? } } }] → text table. `names` fixes the column order,
 * the first being ours (the ratio's denominator).
 */
export function table(title, rows, names) {
  const ours = names[0];
  const head = ['workload', ...names.map((n) => `${n} ns/op (×ours)`)];
  const body = rows.map((row) => {
    const base = row.cells[ours]?.ns;
    return [
      row.title,
      ...names.map((n) => {
        const c = row.cells[n];
        if (!c) return '—';
        if (c.error) return `n/a: ${c.error}`.slice(0, 28);
        const r = n === ours ? '' : ` (${fmtRatio(c.ns / base)})`;
        return `${fmtNs(c.ns)}${r}${c.note ? ` ${c.note}` : ''}`;
      }),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cols) => cols.map((c, i) => pad(c, widths[i], i === 0)).join('  ');
  return [`${title}`, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export function footprintTable(rows) {
  const head = ['allocator', 'footprint', 'live bytes', 'footprint/live', 'what was measured'];
  const body = rows.map((r) => [
    r.name,
    r.footprint ? `${(r.footprint.bytes / 2 ** 20).toFixed(1)} MiB` : '—',
    `${(r.liveBytes / 2 ** 20).toFixed(1)} MiB`,
    r.footprint
      ? `${r.footprint.ratio.toFixed(3)}${r.footprint.inUseRatio ? ` (in use ${r.footprint.inUseRatio.toFixed(3)})` : ''}`
      : '—',
    r.footprint ? r.footprint.note : r.why,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((x) => x[i].length)));
  const line = (cols) => cols.map((c, i) => pad(c, widths[i], i === 0 || i === 4)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** One verdict: `value` compared with `limit` by `op` ('<=' or '>='). */
export function verdict(id, text, value, op, limit) {
  const met = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
  const margin = Number.isFinite(value) ? (op === '<=' ? limit / value : value / limit) : NaN;
  return { id, text, value, op, limit, met, margin };
}

export function verdictLines(verdicts) {
  return verdicts.map((v) => {
    const val = Number.isFinite(v.value) ? (Math.abs(v.value) >= 10 ? v.value.toFixed(1) : v.value.toFixed(2)) : 'n/a';
    const how = Number.isFinite(v.margin)
      ? v.met
        ? `met (${v.margin.toFixed(2)}× headroom)`
        : `MISSED (off by ${(1 / v.margin).toFixed(2)}×)`
      : 'not measured';
    return `  [${v.met ? 'x' : ' '}] ${pad(v.id, 4, true)} ${v.text}: ${val} ${v.op} ${v.limit} — ${how}`;
  });
}
