// The command line (--help, --json shape, --html page, exit codes) and the live URL mode:
// against a local Node server replaying fixture files (always), and against a real Go program
// serving net/http/pprof on 127.0.0.1 plus a live regeneration of one fixture (when Go is
// installed, as in CI).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { leaksCommand } from '../../src/leaks/cli.js';
import { diagnoseLeaks, UnreadableInputError } from '../../src/leaks/index.js';
import { fixturesDir, programsDir } from './expectations.js';

async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  try {
    const code = await leaksCommand.run(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('gomem leaks CLI', () => {
  it('--help lists inputs and options', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['--json', '--html', '--interval', 'debug=0', 'MemStats', 'URL']) expect(r.out).toContain(s);
  });

  it('--json has exactly the documented shape', async () => {
    const r = await runCli(['--json', join(fixturesDir, 'lock_mutex')]);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { findings: Array<Record<string, unknown>>; summary: Record<string, unknown> };
    expect(Object.keys(json)).toEqual(['findings', 'summary']);
    expect(Object.keys(json.findings[0]!).sort()).toEqual([
      'confidence',
      'evidence',
      'file',
      'fix',
      'function',
      'kind',
      'line',
    ]);
    expect(json.findings[0]).toMatchObject({
      kind: 'goroutine-blocked-lock',
      function: 'main.(*account).withdraw',
      file: 'gomemleaks/lock_mutex/main.go',
      line: 19,
    });
  });

  it('--json for a healthy program: findings [] and exit 0', async () => {
    const r = await runCli(['--json', join(fixturesDir, 'healthy_pipeline')]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { findings: unknown[]; summary: { verdict: string } };
    expect(json.findings).toEqual([]);
    expect(json.summary.verdict).toBe('no leak found');
  });

  it('terminal report names kind, location, evidence and fix', async () => {
    const r = await runCli([join(fixturesDir, 'timer_ticker')]);
    expect(r.out).toMatch(/#1 timer-not-stopped/);
    expect(r.out).toContain('at main.startPoller  gomemleaks/timer_ticker/main.go:17');
    expect(r.out).toMatch(/fix: .*Stop\(\)/);
  });

  it('--html is one self-contained page with SVG curves and growing stacks', async () => {
    const r = await runCli(['--html', join(fixturesDir, 'range_consume')]);
    expect(r.out).toMatch(/^<!doctype html>/);
    expect((r.out.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(4);
    expect(r.out).toContain('NumGoroutine');
    expect(r.out).toContain('Growing stacks');
    expect(r.out).not.toMatch(/<script|<link|src="http/);
    expect(r.out).toContain('goroutine-range-unclosed');
  });

  it('bad input: exit 2 and the typed error on stderr', async () => {
    const r = await runCli([join(fixturesDir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/UnreadableInputError: .*nope/);
    expect((await runCli(['--interval', 'x', 'a'])).code).toBe(2);
    expect((await runCli([])).code).toBe(2);
  });
});

describe('live URL mode against a local server replaying fixtures', () => {
  let server: Server;
  let hits: string[] = [];
  const start = async (program: string) => {
    let snapshot = 0;
    server = createServer((req, res) => {
      hits.push(req.url!);
      const url = new URL(req.url!, 'http://x');
      if (url.pathname === '/debug/pprof/heap') snapshot++;
      const n = Math.min(Math.max(snapshot, 1), 2);
      const file = {
        '/debug/pprof/heap': `heap-${n}.pb.gz`,
        '/debug/pprof/goroutine':
          url.searchParams.get('debug') === '2' ? `goroutine-${n}.debug2.txt.gz` : `goroutine-${n}.pb.gz`,
      }[url.pathname];
      if (!file) {
        res.writeHead(404).end('not found');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/octet-stream' })
        .end(readFileSync(join(fixturesDir, program, file)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/debug/pprof/`;
  };
  afterAll(() => server?.close());

  it('takes two snapshots --interval apart with progress, and diagnoses them', async () => {
    hits = [];
    const url = await start('send_pipeline');
    const progress: string[] = [];
    const r = await diagnoseLeaks([url], { intervalMs: 1200, onProgress: (m) => progress.push(m) });
    expect(r.findings[0]).toMatchObject({ kind: 'goroutine-blocked-send', function: 'main.emitMatches', line: 15 });
    expect(hits.filter((h) => h.startsWith('/debug/pprof/heap?gc=1'))).toHaveLength(2);
    expect(progress.some((m) => /waiting for snapshot 2: \d+ s left/.test(m))).toBe(true);
    server.close();
  });

  it('an endpoint that is not there gives UnreadableInputError naming the URL', async () => {
    const url = await start('send_pipeline');
    const err = await diagnoseLeaks([url.replace('/debug/pprof/', '/other/')], { intervalMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UnreadableInputError);
    expect((err as Error).message).toMatch(/\/other\/debug\/pprof\/heap\?gc=1: HTTP 404/);
    server.close();
    const closed = await diagnoseLeaks([url], { intervalMs: 0 }).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(UnreadableInputError);
    expect((closed as Error).message).toContain('127.0.0.1');
  });
});

const hasGo = spawnSync('go', ['version']).status === 0;
// CI may run without HOME; Go then needs an explicit build cache.
const goEnv = {
  ...process.env,
  ...(process.env.HOME || process.env.XDG_CACHE_HOME || process.env.GOCACHE
    ? {}
    : { GOCACHE: join(tmpdir(), 'gomem-gocache') }),
};

describe.skipIf(!hasGo)('with Go installed', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill());

  it('diagnoses a live Go program serving net/http/pprof on 127.0.0.1', async () => {
    const bin = join(mkdtempSync(join(tmpdir(), 'gomem-live-')), 'recv_watch');
    execFileSync('go', ['build', '-o', bin, './recv_watch'], { cwd: programsDir, stdio: 'pipe', env: goEnv });
    child = spawn(bin, ['-serve', '127.0.0.1:0', '-serve-for', '60s'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child!.stdout!.on('data', (d: Buffer) => {
        buf += String(d);
        const m = /serving (http:\/\/127\.0\.0\.1:\d+\/debug\/pprof\/)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      child!.on('exit', () => reject(new Error('program exited: ' + buf)));
    });
    const r = await diagnoseLeaks([url], { intervalMs: 2000 });
    expect(r.findings[0]).toMatchObject({ kind: 'goroutine-blocked-recv', function: 'main.watch', line: 18 });
    expect(Number(r.findings[0]!.evidence.growth)).toBeGreaterThan(0);
    expect(r.summary.inputs.memstatsPoints).toBeGreaterThanOrEqual(2); // expvar polled while waiting
    child.kill();
  });

  it('regenerates a fixture with gen.sh and diagnoses it the same way', async () => {
    const out = mkdtempSync(join(tmpdir(), 'gomem-gen-'));
    execFileSync('bash', [join(programsDir, '..', 'gen.sh'), '-o', out, 'map_sessions'], { stdio: 'pipe', env: goEnv });
    const r = await diagnoseLeaks([join(out, 'map_sessions')]);
    expect(r.findings[0]).toMatchObject({ kind: 'map-no-shrink', function: 'main.fill', line: 21 });
  });
});

// Every program, regenerated now: shows the rules are not tuned to the committed run. About 30 s,
// so opt-in: GOMEM_LEAKS_REGEN_ALL=1 npx vitest run test/leaks
describe.skipIf(!hasGo || !process.env.GOMEM_LEAKS_REGEN_ALL)('all programs regenerated live', () => {
  it('each fresh run is diagnosed as its committed fixture', async () => {
    const { expectations } = await import('./expectations.js');
    const out = mkdtempSync(join(tmpdir(), 'gomem-regen-all-'));
    execFileSync('bash', [join(programsDir, '..', 'gen.sh'), '-o', out], { stdio: 'pipe', env: goEnv });
    for (const e of expectations) {
      const r = await diagnoseLeaks([join(out, e.program)]);
      expect({
        program: e.program,
        kind: r.findings[0]?.kind ?? null,
        fn: r.findings[0]?.function,
        line: r.findings[0]?.line,
      }).toEqual({ program: e.program, kind: e.kind, fn: e.function, line: e.line });
    }
  }, 300_000);
});
