// Writing and reading heap profiles in pprof's format, as Go's runtime/pprof writes them, so that
// `go tool pprof` (top, list, -diff_base, -http), speedscope and every other pprof viewer read ours.
//
// The profile has Go's four sample types in Go's order — alloc_objects/count, alloc_space/bytes,
// inuse_objects/count, inuse_space/bytes — with no default sample type, so viewers show the last one
// (inuse_space), as for Go's `heap` profile. period_type is space/bytes and period the sampling rate.
// Values are unsampled with Go's formula (scaleHeapSample): an object of average size `avg` is sampled
// with probability 1 − e^(−avg/rate), so counts and bytes are divided by it. Each sample carries Go's
// numeric label `bytes` = the object size, which `pprof -tags` and `-tagfocus` use.
//
// Frames become pprof functions (name + file) and locations (function + line), one of each per distinct
// frame; stacks are leaf first. The file is gzipped with fflate, which runs in browsers as in Node.

import { gunzipSync, gzipSync } from 'fflate';
import {
  Function as PprofFunction,
  Line,
  Location,
  Mapping,
  Profile,
  Sample,
  StringTable,
  ValueType,
  Label,
} from 'pprof-format';
import { ProfileFormatError } from './errors.js';
import type { MemProfileRecord } from './memprofile.js';
import type { StackFrame } from './stack.js';

export const HEAP_SAMPLE_TYPES = [
  ['alloc_objects', 'count'],
  ['alloc_space', 'bytes'],
  ['inuse_objects', 'count'],
  ['inuse_space', 'bytes'],
] as const;

/** Go's scaleHeapSample: estimated (objects, bytes) behind `count` sampled objects of `size` bytes. */
export function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avg = size / count;
  const scale = 1 / (1 - Math.exp(-avg / rate));
  return [Math.trunc(count * scale), Math.trunc(size * scale)];
}

export interface HeapProfileOptions {
  /** The sampling rate the records were taken at (memProfileRate). */
  rate: number;
  /** Profile time, ms since the epoch. Default now. */
  timeMs?: number;
  /** Name shown as pprof's "File:" (the mapping's file name). Default "gomem". */
  mainFile?: string;
  /** Comment lines stored in the profile (pprof shows them under the header). */
  comments?: string[];
}

/** The pprof Profile message for these records (not yet encoded). */
export function buildHeapProfile(records: readonly MemProfileRecord[], options: HeapProfileOptions): Profile {
  const strings = new StringTable();
  const str = (s: string) => strings.dedup(s);
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const functionIds = new Map<string, number>();
  const locationIds = new Map<string, number>();

  const locationOf = (f: StackFrame): number => {
    const fkey = `${f.function}\n${f.file}`;
    let fid = functionIds.get(fkey);
    if (fid === undefined) {
      fid = functions.length + 1; // pprof reserves id 0
      functionIds.set(fkey, fid);
      functions.push(
        new PprofFunction({
          id: fid,
          name: str(f.function),
          systemName: str(f.function),
          filename: str(f.file),
          startLine: 0,
        }),
      );
    }
    const lkey = `${fid}:${f.line}`;
    let lid = locationIds.get(lkey);
    if (lid === undefined) {
      lid = locations.length + 1;
      locationIds.set(lkey, lid);
      locations.push(
        new Location({ id: lid, mappingId: 1, address: 0, line: [new Line({ functionId: fid, line: f.line })] }),
      );
    }
    return lid;
  };

  const sampleType = HEAP_SAMPLE_TYPES.map(([t, u]) => new ValueType({ type: str(t), unit: str(u) }));
  const bytesKey = str('bytes');
  const samples: Sample[] = [];
  for (const r of records) {
    const [allocObjects, allocBytes] = scaleHeapSample(r.allocObjects, r.allocBytes, options.rate);
    const [inuseObjects, inuseBytes] = scaleHeapSample(
      r.allocObjects - r.freeObjects,
      r.allocBytes - r.freeBytes,
      options.rate,
    );
    samples.push(
      new Sample({
        locationId: r.stack.map(locationOf),
        value: [allocObjects, allocBytes, inuseObjects, inuseBytes],
        label: r.objectSize > 0 ? [new Label({ key: bytesKey, num: r.objectSize })] : [],
      }),
    );
  }
  const mapping = new Mapping({
    id: 1,
    memoryStart: 0,
    memoryLimit: 0,
    fileOffset: 0,
    filename: str(options.mainFile ?? 'gomem'),
    hasFunctions: true,
    hasFilenames: true,
    hasLineNumbers: true,
  });
  return new Profile({
    sampleType,
    sample: samples,
    mapping: [mapping],
    location: locations,
    function: functions,
    stringTable: strings,
    timeNanos: BigInt(Math.round(options.timeMs ?? Date.now())) * 1_000_000n,
    periodType: new ValueType({ type: str('space'), unit: str('bytes') }),
    period: options.rate,
    comment: (options.comments ?? []).map(str),
  });
}

/** The gzipped pprof file for these records: what Go's pprof.WriteHeapProfile writes. */
export function encodeHeapProfile(records: readonly MemProfileRecord[], options: HeapProfileOptions): Uint8Array {
  return gzipSync(buildHeapProfile(records, options).encode());
}

/** One sample of a decoded heap profile, frames resolved. */
export interface DecodedHeapSample {
  /** Leaf first. */
  stack: { function: string; file: string; line: number }[];
  /** In the profile's sample-type order. */
  values: number[];
  /** The `bytes` label (object size), or 0. */
  objectSize: number;
}

export interface DecodedProfile {
  sampleTypes: { type: string; unit: string }[];
  periodType: { type: string; unit: string } | null;
  period: number;
  samples: DecodedHeapSample[];
}

const asNumber = (v: number | bigint): number => (typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v);

/**
 * Reads a pprof profile (gzipped or not) and resolves its strings and frames. Anything that is not
 * one — empty, truncated, corrupt, a profile with dangling ids — is a ProfileFormatError.
 */
export function decodeProfile(bytes: Uint8Array): DecodedProfile {
  if (!(bytes instanceof Uint8Array)) throw new ProfileFormatError('a profile is a Uint8Array');
  if (bytes.length === 0) throw new ProfileFormatError('empty profile');
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      throw new ProfileFormatError(`not a readable gzip stream (truncated?): ${(e as Error).message}`);
    }
  }
  let p: Profile;
  try {
    p = Profile.decode(raw);
  } catch (e) {
    throw new ProfileFormatError(`not a pprof profile: ${(e as Error).message}`);
  }
  const strings = p.stringTable.strings;
  const s = (i: number | bigint): string => {
    const v = strings[asNumber(i)];
    if (v === undefined) throw new ProfileFormatError(`string index ${String(i)} out of range`);
    return v;
  };
  if (p.sampleType.length === 0) throw new ProfileFormatError('not a pprof profile: no sample types');
  const fns = new Map(p.function.map((f) => [asNumber(f.id), f]));
  const locs = new Map(p.location.map((l) => [asNumber(l.id), l]));
  const labelKey = strings.indexOf('bytes');
  const samples = p.sample.map((smp) => {
    if (smp.value.length !== p.sampleType.length) {
      throw new ProfileFormatError(`sample has ${smp.value.length} values for ${p.sampleType.length} sample types`);
    }
    const stack = smp.locationId.flatMap((id) => {
      const loc = locs.get(asNumber(id));
      if (loc === undefined) throw new ProfileFormatError(`sample refers to missing location ${String(id)}`);
      return loc.line.map((ln) => {
        const fn = fns.get(asNumber(ln.functionId));
        if (fn === undefined)
          throw new ProfileFormatError(`location refers to missing function ${String(ln.functionId)}`);
        return { function: s(fn.name), file: s(fn.filename), line: asNumber(ln.line) };
      });
    });
    const label = smp.label.find((l) => asNumber(l.key) === labelKey);
    return { stack, values: smp.value.map(asNumber), objectSize: label ? asNumber(label.num) : 0 };
  });
  return {
    sampleTypes: p.sampleType.map((t) => ({ type: s(t.type), unit: s(t.unit) })),
    periodType: p.periodType ? { type: s(p.periodType.type), unit: s(p.periodType.unit) } : null,
    period: asNumber(p.period),
    samples,
  };
}
