// Go's own escape-analysis regression tests ($(go env GOROOT)/test/escape*.go), scored with the
// shared errorcheck tool against our CLI. Target: >= 90 % of the annotations of the files run
// with -m -l, and no unmatched extra messages in those files. Needs `go` (CI installs golang-go)
// and a built dist/ (npm test builds first).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
// A copy of ../shared/tools/go-errorcheck-score.mjs travels with the repo so CI's clean clone has it.
const scorer = join(import.meta.dirname, 'go-errorcheck-score.mjs');
const haveGo = spawnSync('go', ['version']).status === 0;
const haveScorer = existsSync(scorer);
const built = existsSync(join(root, 'dist/escape/cli.js'));

describe.skipIf(!haveGo || !haveScorer || !built)('Go errorcheck tests (escape*.go)', () => {
  it('matches >= 90 % of -m -l annotations with no extra messages', async () => {
    const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    const work = mkdtempSync(join(tmpdir(), 'gomem-esc-'));
    const corpus = join(work, 'escape');
    for (const f of readdirSync(join(goroot, 'test')).filter((f) => /^escape.*\.go$/.test(f))) {
      cpSync(join(goroot, 'test', f), join(corpus, f));
    }
    const out = join(work, 'out');
    await promisify(execFile)(
      'node',
      [scorer, '--cmd', `node ${join(root, 'bin/gomem.js')} escape`, '--out', out, corpus],
      { encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    let annotations = 0,
      matched = 0,
      extra = 0;
    const perFile: string[] = [];
    for (const f of readdirSync(join(out, 'escape')).filter((f) => f.endsWith('.json') && f !== 'summary.json')) {
      const r = JSON.parse(readFileSync(join(out, 'escape', f), 'utf8'));
      if (!r.flags || !r.flags.includes('-m') || !r.flags.includes('-l')) continue;
      annotations += r.annotations;
      matched += r.matched;
      extra += r.unmatched;
      perFile.push(`${f}: ${r.matched}/${r.annotations} extra ${r.unmatched}`);
    }
    console.log(
      perFile.join('\n') +
        `\ntotal ${matched}/${annotations} = ${((100 * matched) / annotations).toFixed(1)} %, extra ${extra}`,
    );
    expect(annotations).toBeGreaterThan(1400);
    expect(matched / annotations).toBeGreaterThanOrEqual(0.9);
    expect(extra).toBe(0);
  });
});
