// `gomem leaks`: argument parsing and output selection over diagnoseLeaks. Progress for the
// live mode goes to stderr so that --json and --html output on stdout stays clean.
// Exit codes: 0 no leak found, 1 leaks found, 2 bad usage or unreadable input.
import type { Subcommand } from '../cli/main.js';
import { diagnoseLeaks, toJson } from './index.js';
import { LeakInputError } from './errors.js';
import { renderText } from './report-text.js';
import { renderHtml } from './report-html.js';

export const leaksHelp = `usage: gomem leaks [options] <file | dir | URL>...

Reads a Go program's heap profiles, goroutine profiles and MemStats series and names the leak.
Inputs, in any mix (recognised by content; gzip is read transparently):
  heap profile        pprof.WriteHeapProfile / /debug/pprof/heap (two or more are ordered by time)
  goroutine profile   debug=0 protobuf, debug=1 or debug=2 text dumps
  MemStats series     JSON lines of runtime.MemStats (encoding/json), optionally with
                      NumGoroutine, Metrics{runtime/metrics name: value}, App{gauge: value}, Time
  directory           every readable file in it (unrecognised files are skipped and listed)
  URL                 a live net/http/pprof endpoint, e.g. http://127.0.0.1:6060/debug/pprof/ :
                      two snapshots --interval apart (heap?gc=1, goroutine, goroutine?debug=2,
                      and /debug/vars memstats when expvar is enabled)

options:
  --json             print {"findings":[{kind,function,file,line,confidence,evidence,fix}],"summary":{...}}
  --html             print a self-contained HTML page (SVG curves of the series, growing stacks)
  -o, --output FILE  write the report to FILE instead of stdout
  --interval SEC     seconds between the two live snapshots (default 10)
  -q, --quiet        no progress line
  -h, --help         this help

exit status: 0 no leak found, 1 leak(s) found, 2 usage or input error`;

interface Parsed {
  inputs: string[];
  format: 'text' | 'json' | 'html';
  output?: string;
  intervalMs: number;
  quiet: boolean;
  help: boolean;
}

class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(args: string[]): Parsed {
  const p: Parsed = { inputs: [], format: 'text', intervalMs: 10_000, quiet: false, help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '-h':
      case '--help':
        p.help = true;
        break;
      case '--json':
        p.format = 'json';
        break;
      case '--html':
        p.format = 'html';
        break;
      case '-q':
      case '--quiet':
        p.quiet = true;
        break;
      case '-o':
      case '--output':
        p.output = value();
        break;
      case '--interval': {
        const v = value();
        const secs = Number(v.replace(/s$/, ''));
        if (!Number.isFinite(secs) || secs < 0) throw new UsageError(`--interval: not a number of seconds: ${v}`);
        p.intervalMs = secs * 1000;
        break;
      }
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        p.inputs.push(a);
    }
  }
  return p;
}

export const leaksCommand: Subcommand = {
  summary: "read a Go program's heap/goroutine profiles and MemStats series and name the leak",
  async run(args: string[]): Promise<number> {
    let opts: Parsed;
    try {
      opts = parseArgs(args);
    } catch (e) {
      process.stderr.write(`gomem leaks: ${(e as Error).message}\n\n${leaksHelp}\n`);
      return 2;
    }
    if (opts.help) {
      process.stdout.write(leaksHelp + '\n');
      return 0;
    }
    if (opts.inputs.length === 0) {
      process.stderr.write(`gomem leaks: no inputs\n\n${leaksHelp}\n`);
      return 2;
    }
    const tty = process.stderr.isTTY === true;
    const onProgress = opts.quiet ? undefined : (m: string) => process.stderr.write(tty ? `\r\x1b[K${m}` : `${m}\n`);
    let report;
    try {
      report = await diagnoseLeaks(opts.inputs, { intervalMs: opts.intervalMs, ...(onProgress ? { onProgress } : {}) });
    } catch (e) {
      if (tty && onProgress) process.stderr.write('\r\x1b[K');
      if (e instanceof LeakInputError) {
        process.stderr.write(`gomem leaks: ${e.name}: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    if (tty && onProgress) process.stderr.write('\r\x1b[K');
    const text =
      opts.format === 'json'
        ? JSON.stringify(toJson(report), null, 2) + '\n'
        : opts.format === 'html'
          ? renderHtml(report)
          : renderText(report);
    if (opts.output) {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(opts.output, text);
      process.stderr.write(`gomem leaks: wrote ${opts.output}\n`);
    } else process.stdout.write(text);
    return report.findings.length > 0 ? 1 : 0;
  },
};
