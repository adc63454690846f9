// Entry for the AssemblyScript TLSF baseline: compiled with `asc --runtime minimal`, it only
// re-exports the runtime's raw allocator so the benchmark can call it from JavaScript.
export { __alloc, __free };
