// Type descriptors for collected objects: Go's type information, reduced to what the collector needs —
// an object's size and which of its 4-byte words are pointers.
//
// A record lives in the buffer (vector G_TYPES) so that any thread attached to a shared heap can scan
// any object: [size, elemSize, nptrs, ptr offsets within one element...]. A struct type has
// elemSize = size; an array type repeats its element's pointer offsets every elemSize bytes. Each
// thread keeps a decoded copy (TypeInfo) per id, filled on first use. Type ids are uint16, as a small
// scan span keeps one per slot; id 0 is "none" and id 1 the predefined pointer-free byte type.

import { G_TYPES, G_TYPE_INDEX } from '../layout.js';
import type { HeapState } from '../state.js';
import { GcTypeError } from './errors.js';
import { vecData, vecLen, vecPush, vecReserve, vecSetLen } from './vec.js';

export const MAX_TYPE_ID = 0xffff;
export const BYTE_TYPE_ID = 1;

/** A type of collected object, as returned by heap.defineType / heap.arrayType. */
export interface GcType {
  readonly id: number;
  readonly name: string;
  /** Bytes of one object of this type. */
  readonly size: number;
  /** Byte offsets of the pointer fields (of one element, for an array type). */
  readonly pointers: readonly number[];
  /** For an array type: the element type and the length. */
  readonly elem?: GcType;
  readonly length?: number;
}

/** What defineType takes: a struct layout whose pointer fields are 32-bit heap offsets (0 = nil). */
export interface TypeSpec {
  name: string;
  size: number;
  pointers?: readonly number[];
}

export class TypeInfo implements GcType {
  readonly noscan: boolean;
  /** Not an array: a pointer field's offset is an index into isPtrWord as it is. */
  readonly isStruct: boolean;
  /** Pointer offsets within one element, ascending. */
  readonly offs: Int32Array;
  /** Word-indexed: 1 where an element's word is a pointer field (for checking stores). */
  readonly isPtrWord: Uint8Array;
  readonly pointers: readonly number[];
  /** The span class of a small object of this type, worked out on first allocation (-1 until then, -2: allocated as large). */
  spanClass = -1;
  /** Bytes a heap-profile sample charges for one object (its slot or pages), worked out on first use. */
  accounted = 0;
  /** The collector (thread) that made or decoded it: a type from another heap is refused. */
  owner: unknown = null;
  constructor(
    readonly id: number,
    readonly name: string,
    readonly size: number,
    readonly elemSize: number,
    offs: readonly number[],
    readonly elem?: TypeInfo,
    readonly length?: number,
  ) {
    this.offs = Int32Array.from(offs);
    this.pointers = Object.freeze([...offs]);
    this.noscan = offs.length === 0 || size === 0;
    this.isStruct = elemSize === size;
    this.isPtrWord = new Uint8Array(Math.ceil(elemSize / 4));
    for (const o of offs) this.isPtrWord[o >>> 2] = 1;
  }

  /** Whether byte offset `off` of an object of this type holds a pointer field. */
  isPointerField(off: number): boolean {
    if ((off & 3) !== 0 || off < 0 || off + 4 > this.size) return false;
    return this.isPtrWord[(off % this.elemSize) >>> 2] === 1;
  }
}

/** Checks a spec; returns sorted pointer offsets. Throws GcTypeError, changing nothing. */
export function checkSpec(spec: unknown): { name: string; size: number; offs: number[] } {
  if (spec === null || typeof spec !== 'object') throw new GcTypeError('defineType takes { name, size, pointers }');
  const { name, size, pointers } = spec as Partial<TypeSpec>;
  if (typeof name !== 'string' || name.length === 0) throw new GcTypeError('a type needs a non-empty name');
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 2 ** 31) {
    throw new GcTypeError(`type ${name}: size must be an integer from 1 to 2^31, got ${String(size)}`);
  }
  const list = pointers ?? [];
  if (!Array.isArray(list)) throw new GcTypeError(`type ${name}: pointers must be an array of byte offsets`);
  const offs = [...list].sort((a, b) => a - b);
  for (let k = 0; k < offs.length; k++) {
    const o = offs[k];
    if (typeof o !== 'number' || !Number.isInteger(o) || o < 0 || o + 4 > size || (o & 3) !== 0) {
      throw new GcTypeError(
        `type ${name}: pointer offset ${String(o)} must be a multiple of 4 with 4 bytes inside the ${size}-byte type`,
      );
    }
    if (k > 0 && offs[k - 1] === o) throw new GcTypeError(`type ${name}: pointer offset ${o} given twice`);
  }
  return { name, size, offs };
}

/** Appends a type record to the buffer; returns its id. */
export function storeType(h: HeapState, g: number, size: number, elemSize: number, offs: readonly number[]): number {
  const id = vecLen(h, g + G_TYPE_INDEX);
  if (id > MAX_TYPE_ID) throw new GcTypeError(`too many types (at most ${MAX_TYPE_ID})`);
  const at = vecLen(h, g + G_TYPES);
  const data = vecReserve(h, g + G_TYPES, 3 + offs.length);
  const i32 = h.i32;
  i32[data + at] = size;
  i32[data + at + 1] = elemSize;
  i32[data + at + 2] = offs.length;
  for (let k = 0; k < offs.length; k++) i32[data + at + 3 + k] = offs[k]!;
  vecSetLen(h, g + G_TYPES, at + 3 + offs.length);
  vecPush(h, g + G_TYPE_INDEX, at);
  return id;
}

/** Decodes type `id` from the buffer (for a thread that has not seen it yet); null if there is none. */
export function loadType(h: HeapState, g: number, id: number): TypeInfo | null {
  if (id <= 0 || id >= vecLen(h, g + G_TYPE_INDEX)) return null;
  const i32 = h.i32;
  const at = vecData(h, g + G_TYPES) + i32[vecData(h, g + G_TYPE_INDEX) + id]!;
  const size = i32[at]!;
  const elemSize = i32[at + 1]!;
  const n = i32[at + 2]!;
  const offs: number[] = [];
  for (let k = 0; k < n; k++) offs.push(i32[at + 3 + k]!);
  return new TypeInfo(id, id === BYTE_TYPE_ID ? 'byte' : `type#${id}`, size, elemSize, offs);
}
