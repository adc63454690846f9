// serveInspector(heap): a local web server (node:http, 127.0.0.1 only) showing a heap live — the page
// map, the size-class table, MemStats curves, GC cycles, the top allocation sites, a pprof download.
//
// The page polls /api/state every few hundred milliseconds with its client id. The server remembers
// the page map it last sent each client and answers with the pages that changed since (the whole map
// only on the first request or when most of it changed), and with the curve points the client has not
// seen: a 1 GiB heap's 131072 pages cost bytes, not megabytes, per tick when little moves. Curve points
// are sampled by a timer on the server (readMemStats), so the curves advance whether or not a page
// watches.
//
// Everything runs on the heap's own thread: the inspector reads the heap between the program's turns
// of the event loop, so a program that never yields (a long synchronous loop) never gets served —
// run work in slices (`await new Promise(setImmediate)` between them), as `gomem inspect` does.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Heap } from '../runtime/heap.js';
import { H_GC } from '../runtime/layout.js';
import { classTable, objectsOnPage, pageChanges, pageMap, topSites } from './snapshot.js';
import { formatRetainers } from '../profile/retainers.js';
import { INSPECTOR_PAGE } from './page.js';

export interface InspectorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Milliseconds between curve samples (default 250). */
  sampleMs?: number;
  /** Print the URL on this stream's write (default: console.log); null prints nothing. */
  log?: ((line: string) => void) | null;
}

export interface Inspector {
  readonly url: string;
  /** Curve points sampled so far. */
  readonly points: number;
  close(): Promise<void>;
}

export interface CurvePoint {
  t: number;
  HeapAlloc: number;
  HeapInuse: number;
  HeapSys: number;
  NextGC: number;
  NumGC: number;
}

const MAX_POINTS = 2400;
const MAX_CLIENTS = 16;

export class InspectorError extends Error {
  override name = 'InspectorError';
}

export async function serveInspector(heap: Heap, options: InspectorOptions = {}): Promise<Inspector> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InspectorError(`port must be 0..65535, got ${String(port)}`);
  const started = performance.now();
  const curve: CurvePoint[] = [];
  let firstPoint = 0; // index of curve[0] among all points ever sampled
  const sample = () => {
    const st = heap.readMemStats();
    curve.push({
      t: Math.round(performance.now() - started),
      HeapAlloc: st.HeapAlloc,
      HeapInuse: st.HeapInuse,
      HeapSys: st.HeapSys,
      NextGC: st.NextGC,
      NumGC: st.NumGC,
    });
    if (curve.length > MAX_POINTS) {
      curve.shift();
      firstPoint++;
    }
  };
  sample();
  const timer = setInterval(sample, options.sampleMs ?? 250);
  timer.unref();

  const clients = new Map<string, Uint8Array>();

  const state = (client: string, since: number) => {
    const map = pageMap(heap);
    const prev = clients.get(client);
    const changes = prev !== undefined && prev.length === map.pages.length ? pageChanges(prev, map.pages) : null;
    if (!clients.has(client) && clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value!);
    clients.set(client, map.pages);
    const st = heap.readMemStats();
    const from = Math.max(0, since - firstPoint);
    const gcs = [];
    for (let n = Math.max(1, st.NumGC - 19); n <= st.NumGC; n++) {
      gcs.push({ cycle: n, pauseNs: st.PauseNs[(n + 255) % 256], endNs: st.PauseEnd[(n + 255) % 256] });
    }
    return {
      mappedPages: map.mappedPages,
      metaPages: heap.metaPages,
      pages: changes === null ? { full: Buffer.from(map.pages).toString('base64') } : { changes },
      classes: classTable(heap, map),
      large: { spans: map.largeSpans, bytes: map.largeBytes },
      memstats: {
        HeapAlloc: st.HeapAlloc,
        HeapInuse: st.HeapInuse,
        HeapSys: st.HeapSys,
        HeapIdle: st.HeapIdle,
        HeapReleased: st.HeapReleased,
        HeapObjects: st.HeapObjects,
        NextGC: st.NextGC,
        NumGC: st.NumGC,
        PauseTotalNs: st.PauseTotalNs,
        Sys: st.Sys,
        TotalAlloc: st.TotalAlloc,
      },
      points: curve.slice(from),
      nextPoint: firstPoint + curve.length,
      gcs,
      sites: topSites(heap),
      memProfileRate: heap.memProfile?.rate ?? 0,
    };
  };

  const send = (
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Uint8Array,
    extra: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...extra });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only\n');
      switch (url.pathname) {
        case '/':
          return send(res, 200, 'text/html; charset=utf-8', INSPECTOR_PAGE);
        case '/api/state': {
          const client = url.searchParams.get('client') ?? '';
          const since = Number(url.searchParams.get('since') ?? '0');
          if (!/^[\w-]{1,64}$/.test(client) || !Number.isSafeInteger(since) || since < 0) {
            return send(
              res,
              400,
              'application/json',
              JSON.stringify({ error: 'client must be an id and since a point index' }),
            );
          }
          return send(res, 200, 'application/json', JSON.stringify(state(client, since)));
        }
        case '/api/objects': {
          const page = Number(url.searchParams.get('page'));
          if (!Number.isSafeInteger(page) || page < 0)
            return send(res, 400, 'application/json', JSON.stringify({ error: 'page must be a page index' }));
          return send(res, 200, 'application/json', JSON.stringify(objectsOnPage(heap, page)));
        }
        case '/api/retainers': {
          const obj = Number(url.searchParams.get('obj'));
          if (!Number.isSafeInteger(obj) || obj <= 0)
            return send(res, 400, 'application/json', JSON.stringify({ error: 'obj must be an address' }));
          // Asking a heap without a collector would make one (and change the heap we are showing).
          if (Atomics.load(heap.i32, H_GC) <= 0)
            return send(
              res,
              404,
              'application/json',
              JSON.stringify({ error: 'not a collected object (this heap has no collector)' }),
            );
          const r = heap.retainers(obj);
          return send(res, 200, 'application/json', JSON.stringify({ path: r, text: formatRetainers(r) }));
        }
        case '/heap.pb.gz':
          return send(res, 200, 'application/octet-stream', heap.writeHeapProfile(), {
            'content-disposition': 'attachment; filename="heap.pb.gz"',
          });
        default:
          return send(res, 404, 'text/plain', 'not found\n');
      }
    } catch (e) {
      if ((e as Error).name === 'InvalidPointerError')
        return send(res, 404, 'application/json', JSON.stringify({ error: (e as Error).message }));
      return send(
        res,
        500,
        'application/json',
        JSON.stringify({ error: `${(e as Error).name}: ${(e as Error).message}` }),
      );
    }
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(new InspectorError(`cannot listen on 127.0.0.1:${port}: ${e.message}`)));
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
  log?.(`gomem inspector: ${url}`);
  return {
    url,
    get points() {
      return firstPoint + curve.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
