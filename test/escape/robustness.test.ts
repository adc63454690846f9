// Robustness over Go's own standard library: every package analysed without an exception or a
// hang; files that cannot be parsed must surface as GoParseError with file:line:col. The full
// sweep (test/escape/robustness.mjs, ~2 min over 475 packages) is too slow for every CI run, so
// this test covers as many packages as fit in its time budget, in directory order.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const haveGo = spawnSync('go', ['version']).status === 0;

describe.skipIf(!haveGo || !existsSync(join(root, 'dist/escape/index.js')))(
  'robustness over $(go env GOROOT)/src',
  () => {
    it('analyses the standard library without exceptions', async () => {
      const src = join(execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim(), 'src');
      // Run asynchronously: a blocking child would starve vitest's own worker heartbeat.
      const r = await promisify(execFile)(
        'node',
        [join(import.meta.dirname, 'robustness.mjs'), src, '--budget-ms', '45000'],
        { encoding: 'utf8', timeout: 110_000, maxBuffer: 1 << 24 },
      ).catch((e: { stdout: string }) => ({ stdout: e.stdout ?? '' }));
      const report = JSON.parse(r.stdout.slice(0, r.stdout.indexOf('\n}') + 2));
      console.log(
        `robustness: ${report.packages} packages, ${report.lines} lines, ${report.linesPerSecond} lines/s, ${report.failures} failures`,
      );
      expect(r.stdout).not.toContain('FAIL ');
      expect(report.failures).toBe(0);
      expect(report.packages).toBeGreaterThan(50);
    }, 120_000);
  },
);
