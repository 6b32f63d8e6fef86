// Memory for the facade: one scratch region for each call's buffers, grown on demand and reused (so memory
// stays at the high-water mark), and long-lived blocks the caller owns (tensors that live in WebAssembly
// memory). Blocks up to TLSF_MAX come from the runtime's TLSF allocator, whose blocks cannot exceed 1 GiB;
// bigger ones are whole pages taken from memory.grow at the top of memory (the allocator grows past them),
// and once released they go to a first-fit list of big blocks for later big requests.

// @ts-ignore: decorator
@inline const TLSF_MAX: usize = (1 << 30) - 64;

let scratchBase: usize = 0;
let scratchCapacity: usize = 0;
/** Released big blocks, each holding its size and the next one's address in its first 16 bytes. */
let freeBig: usize = 0;
/** Whether the allocator has set itself up. It takes every page the memory has when it does, so it must do so
 * before the first big block: else a live big block's pages become its free memory. */
let heapReady = false;

/** Base address of a scratch region of at least `bytes` bytes (16-aligned), valid until the next call; 0 if none. */
export function scratch(bytes: usize): usize {
  if (bytes <= scratchCapacity) return scratchBase;
  // grow by at least a quarter, so that slowly growing inputs do not reallocate every call
  let capacity = max(bytes, scratchCapacity + (scratchCapacity >> 2));
  if (bytes <= TLSF_MAX) capacity = min(capacity, TLSF_MAX);
  if (scratchBase) release(scratchBase, scratchCapacity);
  scratchBase = allocate(capacity);
  scratchCapacity = scratchBase ? capacity : 0;
  return scratchBase;
}

/** A block of `bytes` bytes (16-aligned) that stays until `release`; 0 when memory cannot grow. */
export function allocate(bytes: usize): usize {
  if (bytes <= TLSF_MAX) return heap.alloc(max<usize>(bytes, 16));
  // a big block: whole pages, its size in a 16-byte header before the address handed out
  if (!heapReady) heap.free(heap.alloc(16));
  heapReady = true;
  const size = (bytes + 16 + 0xffff) & ~(<usize>0xffff);
  let previous: usize = 0;
  for (let block = freeBig; block; block = load<usize>(block, sizeof<usize>())) {
    if (load<usize>(block) >= size) {
      const next = load<usize>(block, sizeof<usize>());
      if (previous) store<usize>(previous, next, sizeof<usize>());
      else freeBig = next;
      return block + 16;
    }
    previous = block;
  }
  const pages = memory.grow(<i32>(size >> 16));
  if (pages < 0) return 0;
  const block = <usize>pages << 16;
  store<usize>(block, size);
  return block + 16;
}

/** Frees a block from `allocate` of `bytes` bytes (what was asked for it). */
export function release(ptr: usize, bytes: usize): void {
  if (bytes <= TLSF_MAX) {
    heap.free(ptr);
    return;
  }
  const block = ptr - 16; // its header keeps the block's size
  store<usize>(block, freeBig, sizeof<usize>());
  freeBig = block;
}
