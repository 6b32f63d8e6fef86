// One scratch region above the static data, grown on demand: the facade lays out each call's
// buffers in it. Single-threaded and reused by every call, so memory stays at the high-water mark.

// @ts-ignore: decorator
@inline const PAGE_BYTES: usize = 65536;

/** Base address of a scratch region of at least `bytes` bytes (16-aligned), or 0 when memory cannot grow. */
export function scratch(bytes: usize): usize {
  const base = (__heap_base + 15) & ~<usize>15;
  const end = <u64>base + <u64>bytes;
  const have = <u64>memory.size() * <u64>PAGE_BYTES;
  if (end > have) {
    const pages = <i32>((end - have + <u64>PAGE_BYTES - 1) / <u64>PAGE_BYTES);
    if (memory.grow(pages) < 0) return 0;
  }
  return base;
}
