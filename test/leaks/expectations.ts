// What each fixture program must be diagnosed as: the leak kind and the user line responsible
// (checked by hand against the program's source; the line is the blocking operation or the
// allocation). `alsoAllowed` lists kinds a program genuinely has as a secondary leak.
import { fileURLToPath } from 'node:url';
import type { LeakKind } from '../../src/leaks/index.js';

export const fixturesDir = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const programsDir = fileURLToPath(new URL('./programs/', import.meta.url));

export interface Expectation {
  program: string;
  kind: LeakKind | null;
  function?: string;
  line?: number;
  alsoAllowed?: LeakKind[];
}

export const expectations: Expectation[] = [
  { program: 'recv_watch', kind: 'goroutine-blocked-recv', function: 'main.watch', line: 18 },
  { program: 'recv_reply', kind: 'goroutine-blocked-recv', function: 'main.submit.func1', line: 31 },
  { program: 'send_fetch', kind: 'goroutine-blocked-send', function: 'main.fetch.func1', line: 24 },
  { program: 'send_pipeline', kind: 'goroutine-blocked-send', function: 'main.emitMatches', line: 15 },
  { program: 'select_keepalive', kind: 'goroutine-blocked-select', function: 'main.keepalive', line: 21 },
  // The broker's map of subscriber channels really does grow without bound too.
  {
    program: 'select_subscriber',
    kind: 'goroutine-blocked-select',
    function: 'main.listen',
    line: 29,
    alsoAllowed: ['unbounded-growth'],
  },
  { program: 'range_consume', kind: 'goroutine-range-unclosed', function: 'main.consume', line: 20 },
  { program: 'range_workers', kind: 'goroutine-range-unclosed', function: 'main.worker', line: 13 },
  { program: 'lock_mutex', kind: 'goroutine-blocked-lock', function: 'main.(*account).withdraw', line: 19 },
  { program: 'lock_rwmutex', kind: 'goroutine-blocked-lock', function: 'main.(*config).get', line: 27 },
  { program: 'subslice_packets', kind: 'subslice-retention', function: 'main.readPacket', line: 14 },
  { program: 'subslice_lines', kind: 'subslice-retention', function: 'main.loadChunk', line: 27 },
  { program: 'map_sessions', kind: 'map-no-shrink', function: 'main.fill', line: 21 },
  { program: 'map_spike', kind: 'map-no-shrink', function: 'main.record', line: 19 },
  { program: 'timer_after', kind: 'timer-not-stopped', function: 'main.pump', line: 17 },
  { program: 'timer_ticker', kind: 'timer-not-stopped', function: 'main.startPoller', line: 17 },
  { program: 'cache_render', kind: 'unbounded-growth', function: 'main.render', line: 16 },
  { program: 'cache_history', kind: 'unbounded-growth', function: 'main.recordEvent', line: 20 },
  { program: 'healthy_server', kind: null },
  { program: 'healthy_pipeline', kind: null },
];
