// `gomem inspect` through the built CLI: prints its URL, serves state while the workload runs, stops
// with --exit-after; bad options are named.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeProfile } from '../../src/profile/pprof.js';

const BIN = join(__dirname, '../../bin/gomem.js');

describe('gomem inspect', () => {
  it('serves the leak workload and exits after --exit-after', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'inspect', '--workload', 'leak', '--exit-after', '4', '--max-bytes', '67108864'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /gomem inspector: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
    });
    const first = (await (await fetch(`${url}api/state?client=t&since=0`)).json()) as {
      pages: { full?: string };
      memstats: { HeapAlloc: number };
    };
    expect(first.pages.full).toBeDefined();
    await new Promise((r) => setTimeout(r, 1000));
    const second = (await (await fetch(`${url}api/state?client=t&since=1`)).json()) as {
      memstats: { HeapAlloc: number };
      sites: { function: string }[];
    };
    expect(second.memstats.HeapAlloc).toBeGreaterThan(first.memstats.HeapAlloc); // the leak grows
    expect(second.sites.map((s) => s.function)).toContain('rememberSession');
    const profile = new Uint8Array(await (await fetch(`${url}heap.pb.gz`)).arrayBuffer());
    expect(decodeProfile(profile).samples.length).toBeGreaterThan(0);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('names bad options', () => {
    const r = spawnSync(process.execPath, [BIN, 'inspect', '--workload', 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--workload must be one of/);
    expect(spawnSync(process.execPath, [BIN, 'inspect', '--port', '99999'], { encoding: 'utf8' }).stderr).toMatch(
      /--port|port must be/,
    );
    expect(spawnSync(process.execPath, [BIN, 'inspect', '--help'], { encoding: 'utf8' }).stdout).toMatch(
      /--exit-after/,
    );
  });
});
