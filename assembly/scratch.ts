// Memory for the facade: one scratch region for each call's buffers, grown on demand and reused
// (so memory stays at the high-water mark), and long-lived blocks the caller owns (tensors that live in
// WebAssembly memory). Both come from the runtime's TLSF allocator.

let scratchBase: usize = 0;
let scratchCapacity: usize = 0;

/** Base address of a scratch region of at least `bytes` bytes (16-aligned), valid until the next call. */
export function scratch(bytes: usize): usize {
  if (bytes > scratchCapacity) {
    // grow by at least a quarter, so that slowly growing inputs do not reallocate every call
    const capacity = max(bytes, scratchCapacity + (scratchCapacity >> 2));
    if (scratchBase) heap.free(scratchBase);
    scratchBase = 0;
    scratchCapacity = 0;
    scratchBase = heap.alloc(capacity);
    scratchCapacity = capacity;
  }
  return scratchBase;
}

/** A block of `bytes` bytes (16-aligned) that stays until `release`. */
export function allocate(bytes: usize): usize {
  return heap.alloc(max<usize>(bytes, 16));
}

/** Frees a block from `allocate`. */
export function release(ptr: usize): void {
  heap.free(ptr);
}
