// Where a loss's valueGradV leaves the gradient's lanes for the driver, which reads them right after the call
// (16 bytes of static data: a v128 global would not compile in the scalar build).

// @ts-ignore: decorator
@lazy const GRAD_LANES: usize = memory.data(16, 16);

/** Leaves `lanes` for the driver. */
// @ts-ignore: decorator
@inline export function setGradLanes(lanes: v128): void {
  v128.store(GRAD_LANES, lanes);
}

/** The lanes a valueGradV left. */
// @ts-ignore: decorator
@inline export function gradLanes(): v128 {
  return v128.load(GRAD_LANES);
}
