// Reading Go's protobuf profiles (heap, and goroutine with debug=0) through pprof-format.
// The pitfalls handled here: the decoder does not gunzip (the caller has already), it returns
// BigInt for varints above 2^28 and unsigned BigInts for negative int64s (so every number goes
// through BigInt.asIntN(64, ..)), and string indices must be resolved against the table.
// Inlined calls arrive as several Lines in one Location, callee first; we flatten them into
// frames in that order so a stack is always leaf first.
import { Profile } from 'pprof-format';
import { CorruptInputError, WrongInputKindError } from './errors.js';
import type { Frame, GoroutineSnapshot, HeapSample, HeapSnapshot } from './types.js';

type Numeric = number | bigint;

export function toNumber(v: Numeric | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

interface DecodedProfile {
  profile: Profile;
  str: (i: Numeric | undefined) => string;
  sampleTypes: string[];
}

export function decodeProfile(source: string, raw: Uint8Array): DecodedProfile {
  let profile: Profile;
  try {
    profile = Profile.decode(raw);
  } catch (e) {
    throw new CorruptInputError(source, `not a valid pprof protobuf (${(e as Error).message})`);
  }
  const strings = profile.stringTable?.strings ?? [];
  if (strings.length === 0 || strings[0] !== '' || profile.sampleType.length === 0) {
    throw new CorruptInputError(source, 'not a valid pprof protobuf (no string table or sample types)');
  }
  const str = (i: Numeric | undefined): string => {
    const s = strings[toNumber(i)];
    if (s === undefined)
      throw new CorruptInputError(source, `pprof string index ${String(i)} out of range (truncated file?)`);
    return s;
  };
  const sampleTypes = profile.sampleType.map((t) => str(t.type));
  return { profile, str, sampleTypes };
}

/** Builds locationId -> frames (leaf first), and an address -> function map for PC lookups. */
function resolveLocations(source: string, d: DecodedProfile) {
  const functions = new Map<number, { name: string; file: string }>();
  for (const f of d.profile.function) functions.set(toNumber(f.id), { name: d.str(f.name), file: d.str(f.filename) });
  const locations = new Map<number, Frame[]>();
  const symbols = new Map<number, string>();
  for (const loc of d.profile.location) {
    const frames: Frame[] = [];
    for (const line of loc.line) {
      const fn = functions.get(toNumber(line.functionId));
      if (!fn) throw new CorruptInputError(source, `location ${toNumber(loc.id)} names a missing function`);
      frames.push({ function: fn.name, file: fn.file, line: toNumber(line.line) });
    }
    locations.set(toNumber(loc.id), frames);
    const address = toNumber(loc.address);
    // The outermost Line is the function whose code holds this PC (inlined callees come first).
    const outer = frames[frames.length - 1];
    if (address !== 0 && outer) symbols.set(address, outer.function);
  }
  const stackOf = (ids: Numeric[]): Frame[] =>
    ids.flatMap((id) => {
      const frames = locations.get(toNumber(id));
      if (!frames) throw new CorruptInputError(source, `sample refers to missing location ${toNumber(id)}`);
      return frames;
    });
  return { stackOf, symbols };
}

export function heapFromProfile(source: string, d: DecodedProfile): HeapSnapshot {
  const index = (name: string) => d.sampleTypes.indexOf(name);
  const [ao, as, io, is] = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map(index) as [
    number,
    number,
    number,
    number,
  ];
  if (io < 0 || is < 0) {
    throw new WrongInputKindError(source, `pprof profile of type [${d.sampleTypes.join(', ')}] is not a heap profile`);
  }
  const { stackOf, symbols } = resolveLocations(source, d);
  const samples: HeapSample[] = d.profile.sample.map((s) => {
    if (s.value.length !== d.sampleTypes.length) {
      throw new CorruptInputError(
        source,
        `sample has ${s.value.length} values for ${d.sampleTypes.length} sample types`,
      );
    }
    const v = (i: number) => (i < 0 ? 0 : toNumber(s.value[i]));
    const sizeLabel = s.label.find((l) => d.str(l.key) === 'bytes');
    const inuseObjects = v(io);
    const allocObjects = v(ao);
    const objectSize =
      sizeLabel !== undefined
        ? toNumber(sizeLabel.num)
        : inuseObjects > 0
          ? v(is) / inuseObjects
          : allocObjects > 0
            ? v(as) / allocObjects
            : 0;
    return {
      stack: stackOf(s.locationId),
      allocObjects,
      allocSpace: v(as),
      inuseObjects,
      inuseSpace: v(is),
      objectSize,
    };
  });
  return { source, timeNanos: toNumber(d.profile.timeNanos), period: toNumber(d.profile.period), samples, symbols };
}

export function goroutinesFromProfile(source: string, d: DecodedProfile): GoroutineSnapshot {
  const { stackOf, symbols } = resolveLocations(source, d);
  const groups = d.profile.sample.map((s) => ({ count: toNumber(s.value[0]), stack: stackOf(s.locationId) }));
  return {
    source,
    format: 'debug=0',
    timeNanos: toNumber(d.profile.timeNanos),
    total: groups.reduce((n, g) => n + g.count, 0),
    groups,
    symbols,
  };
}

/** Decides what a decoded protobuf is; only heap and goroutine profiles are diagnosed. */
export function classifyProfile(
  source: string,
  raw: Uint8Array,
): { kind: 'heap'; snapshot: HeapSnapshot } | { kind: 'goroutine'; snapshot: GoroutineSnapshot } {
  const d = decodeProfile(source, raw);
  const types = d.sampleTypes;
  if (types.includes('inuse_space')) return { kind: 'heap', snapshot: heapFromProfile(source, d) };
  if (types.length === 1 && types[0] === 'goroutine')
    return { kind: 'goroutine', snapshot: goroutinesFromProfile(source, d) };
  const what =
    types.includes('cpu') || types.includes('samples')
      ? 'a CPU profile'
      : types.includes('contentions')
        ? 'a mutex/block profile'
        : types.includes('threadcreate')
          ? 'a threadcreate profile'
          : 'a profile';
  throw new WrongInputKindError(
    source,
    `${what} (sample types ${types.join(', ')}); the leak doctor reads heap and goroutine profiles`,
  );
}
