// The inspector's single page: HTML, CSS and a small script, served as one string by server.ts. The
// script polls /api/state, applies page-map deltas to its own copy of the map, and redraws the map
// (one pixel per page into an ImageData, scaled up without smoothing), the class table, the curves,
// the GC list and the top allocation sites. Numbers the test reads are also in data-* attributes.

export const INSPECTOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gomem inspector</title>
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; background: #fafafa; color: #222; }
  h1 { font-size: 18px; margin: 0 0 8px; } h2 { font-size: 14px; margin: 16px 0 6px; }
  .row { display: flex; gap: 24px; flex-wrap: wrap; align-items: flex-start; }
  .stats span { display: inline-block; margin-right: 16px; } .stats b { font-variant-numeric: tabular-nums; }
  canvas { background: #111; image-rendering: pixelated; border: 1px solid #ccc; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { padding: 1px 8px; text-align: right; border-bottom: 1px solid #eee; } th { background: #eee; }
  td.l, th.l { text-align: left; } .legend i { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; }
  button.obj { font: 11px monospace; margin: 1px; } #retainers { font-family: monospace; margin-top: 6px; color: #a30; }
  #pageinfo { min-height: 1.4em; font-family: monospace; } .scroll { max-height: 420px; overflow-y: auto; }
  a.button { display: inline-block; padding: 4px 10px; background: #2a6; color: #fff; border-radius: 4px; text-decoration: none; }
</style></head><body>
<h1>gomem inspector</h1>
<div class="stats" id="stats"></div>
<div class="row">
  <div>
    <h2>Page map <small id="page-summary"></small></h2>
    <canvas id="pagemap" width="512" height="256"></canvas>
    <div class="legend"><i style="background:#333"></i>metadata<i style="background:#0b0b0b;border:1px solid #555"></i>released
      <i style="background:#1f3b4d"></i>idle<i style="background:#4a7"></i>span records<i style="background:#c3c"></i>large
      <i style="background:hsl(200,70%,55%)"></i>small span (hue = class, light = full)</div>
    <div id="pageinfo">hover a page; click one to list its objects</div>
    <div id="objects"></div>
    <div id="retainers"></div>
  </div>
  <div>
    <h2>HeapAlloc · HeapInuse · HeapSys · NextGC <small id="points"></small></h2>
    <canvas id="curves" width="560" height="256"></canvas>
    <div class="legend"><i style="background:#e44"></i>HeapAlloc<i style="background:#fa0"></i>HeapInuse<i style="background:#4af"></i>HeapSys<i style="background:#8d8"></i>NextGC</div>
  </div>
</div>
<div class="row">
  <div><h2>Size classes</h2><div class="scroll"><table id="classes"><thead><tr><th>class</th><th>size</th><th>spans</th><th>objects</th><th>bytes</th><th>waste</th></tr></thead><tbody></tbody></table></div></div>
  <div><h2>Top allocation sites (in use) <a class="button" id="download" href="heap.pb.gz" download="heap.pb.gz">download heap.pb.gz</a></h2>
    <table id="sites"><thead><tr><th class="l">function</th><th class="l">at</th><th>obj size</th><th>in use</th><th>objects</th><th>allocated</th></tr></thead><tbody></tbody></table>
    <h2>GC cycles</h2><table id="gcs"><thead><tr><th>cycle</th><th>pause</th></tr></thead><tbody></tbody></table></div>
</div>
<script>
const client = Math.random().toString(36).slice(2);
let pages = new Uint8Array(0), mapped = 0, since = 0, last = null; var points = [];
const $ = (id) => document.getElementById(id);
const fmt = (n) => n >= 1048576 ? (n / 1048576).toFixed(2) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B';
function colour(kind, occ) {
  if (kind === 0) return [0, 0, 0];
  if (kind === 1) return [51, 51, 51];
  if (kind === 2) return [11, 11, 11];
  if (kind === 3) return [31, 59, 77];
  if (kind === 4) return [68, 170, 119];
  if (kind === 5 || kind === 6) return [204, 51, 204];
  const cls = kind >= 80 ? kind - 80 : kind - 8;
  return hsl((cls * 47) % 360, 0.7, 0.25 + 0.45 * occ / 255);
}
function hsl(h, s, l) {
  const a = s * Math.min(l, 1 - l), f = (n) => { const k = (n + h / 30) % 12; return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1)))); };
  return [f(0), f(8), f(4)];
}
function cols() { return Math.max(64, Math.min(512, 1 << Math.ceil(Math.log2(Math.sqrt(mapped * 2))))); }
function drawMap() {
  const c = $('pagemap'), w = cols(), h = Math.max(1, Math.ceil(mapped / w));
  const img = new ImageData(w, h);
  let inuse = 0;
  for (let p = 0; p < mapped; p++) {
    const kind = pages[2 * p];
    if (kind >= 5) inuse++;
    const [r, g, b] = colour(kind, pages[2 * p + 1]);
    img.data.set([r, g, b, 255], p * 4);
  }
  const off = new OffscreenCanvas(w, h); off.getContext('2d').putImageData(img, 0, 0);
  const scale = Math.max(1, Math.floor(Math.min(512 / w, 512 / h)));
  c.width = w * scale; c.height = h * scale;
  const ctx = c.getContext('2d'); ctx.imageSmoothingEnabled = false; ctx.drawImage(off, 0, 0, c.width, c.height);
  c.dataset.scale = scale; c.dataset.cols = w;
  const s = $('page-summary'); s.dataset.inusePages = inuse; s.dataset.mappedPages = mapped;
  s.textContent = mapped + ' pages mapped, ' + inuse + ' in heap spans';
}
function drawCurves() {
  const c = $('curves'), ctx = c.getContext('2d'), W = c.width, H = c.height;
  ctx.fillStyle = '#111'; ctx.fillRect(0, 0, W, H);
  if (points.length < 1) return;
  const keys = [['HeapAlloc', '#e44'], ['HeapInuse', '#fa0'], ['HeapSys', '#4af'], ['NextGC', '#8d8']];
  let max = 1; for (const p of points) for (const [k] of keys) max = Math.max(max, p[k]);
  const t0 = points[0].t, t1 = Math.max(t0 + 1, points[points.length - 1].t);
  for (const [k, col] of keys) {
    ctx.strokeStyle = col; ctx.beginPath();
    points.forEach((p, i) => { const x = (p.t - t0) / (t1 - t0) * (W - 10) + 5, y = H - 5 - p[k] / max * (H - 20); i ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
    ctx.stroke();
  }
  ctx.fillStyle = '#ccc'; ctx.fillText(fmt(max), 6, 12);
  $('points').dataset.points = points.length; $('points').textContent = points.length + ' points';
}
function rows(id, list, cells) { $(id).tBodies[0].innerHTML = list.map((r) => '<tr>' + cells(r).join('') + '</tr>').join(''); }
const td = (v, l) => '<td' + (l ? ' class="l"' : '') + '>' + String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;') + '</td>';
async function tick() {
  try {
    const r = await fetch('api/state?client=' + client + '&since=' + since);
    const s = await r.json(); last = s;
    if (s.mappedPages !== mapped) { mapped = s.mappedPages; const n = new Uint8Array(mapped * 2); n.set(pages.subarray(0, Math.min(pages.length, n.length))); pages = n; }
    if (s.pages.full) pages = Uint8Array.from(atob(s.pages.full), (ch) => ch.charCodeAt(0));
    else for (let i = 0; i < s.pages.changes.length; i += 3) { const p = s.pages.changes[i]; pages[2 * p] = s.pages.changes[i + 1]; pages[2 * p + 1] = s.pages.changes[i + 2]; }
    points = points.concat(s.points).slice(-2400); since = s.nextPoint;
    const m = s.memstats;
    $('stats').innerHTML = Object.entries(m).map(([k, v]) => '<span>' + k + ' <b id="' + k + '" data-value="' + v + '">' + (/Heap|Sys|Alloc|NextGC/.test(k) && k !== 'HeapObjects' ? fmt(v) : v) + '</b></span>').join('') +
      '<span>memProfileRate <b>' + s.memProfileRate + '</b></span>';
    drawMap(); drawCurves();
    rows('classes', s.classes, (c) => [td(c.class), td(c.size), td(c.spans), td(c.objects), td(c.bytes), td(c.waste)]);
    $('classes').dataset.objects = s.classes.reduce((a, c) => a + c.objects, 0);
    rows('sites', s.sites, (x) => [td(x.function, 1), td(x.location, 1), td(x.objectSize), td(fmt(x.inuseBytes)), td(x.inuseObjects), td(fmt(x.allocBytes))]);
    rows('gcs', s.gcs.slice().reverse(), (g) => [td(g.cycle), td((g.pauseNs / 1e6).toFixed(3) + ' ms')]);
    document.body.dataset.ticks = (Number(document.body.dataset.ticks || 0) + 1);
  } catch (e) { $('pageinfo').textContent = 'inspector unreachable: ' + e.message; }
  setTimeout(tick, 300);
}
$('pagemap').addEventListener('mousemove', (ev) => {
  const c = $('pagemap'), sc = Number(c.dataset.scale || 1), w = Number(c.dataset.cols || 1);
  const p = Math.floor(ev.offsetY / sc) * w + Math.floor(ev.offsetX / sc);
  if (p >= mapped) return;
  const kind = pages[2 * p], occ = pages[2 * p + 1];
  const names = ['unmapped', 'metadata', 'free (released)', 'free (idle)', 'span records', 'large object', 'large object (collected)'];
  const what = kind < 8 ? names[kind] : (kind >= 80 ? 'collected ' : '') + 'span of class ' + (kind >= 80 ? kind - 80 : kind - 8) + ', ' + Math.round(occ / 2.55) + '% full';
  $('pageinfo').textContent = 'page ' + p + ' @ ' + (p * 8192) + ': ' + what;
});
$('pagemap').addEventListener('click', async (ev) => {
  const c = $('pagemap'), sc = Number(c.dataset.scale || 1), w = Number(c.dataset.cols || 1);
  const p = Math.floor(ev.offsetY / sc) * w + Math.floor(ev.offsetX / sc);
  const r = await (await fetch('api/objects?page=' + p)).json();
  $('objects').innerHTML = r.objects.length === 0 ? 'no live objects on page ' + p :
    'objects on page ' + p + ': ' + r.objects.map((o) => '<button class="obj" data-obj="' + o.address + '">' + (o.type || 'untyped') + ' @0x' + o.address.toString(16) + '</button>').join(' ') + (r.more ? ' and ' + r.more + ' more' : '');
});
$('objects').addEventListener('click', async (ev) => {
  const obj = ev.target && ev.target.dataset && ev.target.dataset.obj;
  if (!obj) return;
  const r = await fetch('api/retainers?obj=' + obj);
  const j = await r.json();
  $('retainers').textContent = r.ok ? 'retained by: ' + j.text : 'no retainer path: ' + j.error;
});
tick();
</script></body></html>
`;
