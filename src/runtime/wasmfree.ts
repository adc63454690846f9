// A shared free in one WebAssembly call, for heaps that live in a shared WebAssembly.Memory.
//
// On a shared heap, free() clears the object's mark bit with an atomic and, then reads the span's list
// state after it (mcentral.freeSlot; the clear's acquire order is what makes the read see a concurrent
// filing). V8 (Node 20) compiles no Atomics operation inline; each is a call of 10–20 ns. A WebAssembly
// function compiles its atomic instructions inline, and calling one from JavaScript costs about 5 ns
// (bench/atomics.mjs), so on a heap whose memory WebAssembly can address, both steps cost one such call
// (the read is an atomic load there: free of charge inside the call).
//
// The module, written out by hand (100 bytes, and the only WebAssembly gomem needs):
//
//   (module
//     (import "gomem" "memory" (memory 0 65536 shared))
//     (func (export "clearMarkLoadList") (param $mark i32) (param $bit i32) (param $list i32) (result i32)
//       (i32.and (i32.atomic.rmw.and (local.get $mark) (i32.xor (local.get $bit) (i32.const -1)))
//                (local.get $bit))
//       (if (result i32) (i32.eqz)
//         (then (i32.const -1))                             ;; the bit was already clear: freed before
//         (else (i32.atomic.load (local.get $list))))))    ;; the span's S_LIST, read after the clear
//
// Addresses are byte offsets (word index × 4). Returns -1 if the slot was already free, else S_LIST.

// prettier-ignore
const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // type 0: (i32 i32 i32) -> i32
  // import "gomem" "memory": memory, shared, min 0, max 65536 pages
  0x02, 0x14, 0x01, 0x05, 0x67, 0x6f, 0x6d, 0x65, 0x6d, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79,
  0x02, 0x03, 0x00, 0x80, 0x80, 0x04,
  0x03, 0x02, 0x01, 0x00, // one function, of type 0
  // export "clearMarkLoadList" = function 0
  0x07, 0x15, 0x01, 0x11, 0x63, 0x6c, 0x65, 0x61, 0x72, 0x4d, 0x61, 0x72, 0x6b, 0x4c, 0x6f, 0x61, 0x64, 0x4c, 0x69,
  0x73, 0x74, 0x00, 0x00,
  // code: one body of 29 bytes, no locals
  0x0a, 0x1f, 0x01, 0x1d, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x41, 0x7f, 0x73, // mark address; bit xor -1
  0xfe, 0x2c, 0x02, 0x00, // i32.atomic.rmw.and (align 4, offset 0): the old word
  0x20, 0x01, 0x71, 0x45, // old & bit, == 0?
  0x04, 0x7f, 0x41, 0x7f, // if (result i32) -1
  0x05, 0x20, 0x02, 0xfe, 0x10, 0x02, 0x00, // else i32.atomic.load of the list address
  0x0b, 0x0b, // end if, end function
]);

export type ClearMarkLoadList = (markByte: number, bit: number, listByte: number) => number;

let compiled: WebAssembly.Module | null | undefined;

/**
 * The module's function bound to `memory`, or null where it cannot be had (no WebAssembly, no
 * threads support, a Content-Security-Policy that forbids compiling): callers fall back to Atomics.
 */
export function wasmClearMarkLoadList(memory: WebAssembly.Memory): ClearMarkLoadList | null {
  try {
    // Synchronous compilation is allowed everywhere for a module this small (browsers limit it at 4 KiB).
    if (compiled === undefined) compiled = new WebAssembly.Module(MODULE_BYTES);
    if (compiled === null) return null;
    const instance = new WebAssembly.Instance(compiled, { gomem: { memory } });
    return instance.exports.clearMarkLoadList as ClearMarkLoadList;
  } catch {
    compiled ??= null;
    return null;
  }
}
