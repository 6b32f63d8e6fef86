// Where a loss's valueGradV leaves the gradient's lanes for the driver, which reads them right after the call: a
// global, so each thread's instance has its own (static memory is shared by the threads build's threads). Lazy:
// the scalar build, which cannot hold a v128, never compiles it.

// @ts-ignore: decorator
@lazy let lanes: v128 = i32x4(0, 0, 0, 0);

/** Leaves `value` for the driver. */
// @ts-ignore: decorator
@inline export function setGradLanes(value: v128): void {
  lanes = value;
}

/** The lanes a valueGradV left. */
// @ts-ignore: decorator
@inline export function gradLanes(): v128 {
  return lanes;
}
