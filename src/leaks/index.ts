// Public API of `gomem/leaks`: diagnoseLeaks reads heap profiles, goroutine profiles (debug=0,
// 1 or 2) and MemStats series from files, directories, live net/http/pprof URLs or in-memory
// buffers, and names the leak. diagnoseParsed/parseInput are the I/O-free layers under it.
import { diagnoseParsed } from './diagnose.js';
import { loadInputs, type LeakInput, type LoadOptions } from './load.js';
import type { LeakReport } from './types.js';

export type DiagnoseOptions = LoadOptions;

/** Diagnoses a mix of inputs; throws a LeakInputError subclass naming the bad input. */
export async function diagnoseLeaks(
  inputs: LeakInput[],
  options: DiagnoseOptions = {},
): Promise<LeakReport & { skipped: string[] }> {
  const loaded = await loadInputs(inputs, options);
  return { ...diagnoseParsed(loaded.parsed, loaded.sources), skipped: loaded.skipped };
}

/** The `--json` shape: findings reduced to the documented keys, plus the summary. */
export function toJson(report: LeakReport): {
  findings: Array<
    Pick<LeakReport['findings'][number], 'kind' | 'function' | 'file' | 'line' | 'confidence' | 'evidence' | 'fix'>
  >;
  summary: LeakReport['summary'];
} {
  return {
    findings: report.findings.map(({ kind, function: fn, file, line, confidence, evidence, fix }) => ({
      kind,
      function: fn,
      file,
      line,
      confidence,
      evidence,
      fix,
    })),
    summary: report.summary,
  };
}

export { diagnoseParsed } from './diagnose.js';
export { parseInput } from './sniff.js';
export { userFrame, isStandardLibrary } from './frames.js';
export type { LeakInput } from './load.js';
export * from './errors.js';
export type * from './types.js';
