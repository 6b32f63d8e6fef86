// Runs the same calls on the SIMD build and on the scalar build (its plain reference loops).
import { init, wasmBuild } from '../../src/index.js';

/**
 * The calls' results on each build, and whether the SIMD build was the relaxed one (Node ≥ 22), whose fused
 * multiply-adds round a product together with its sum: its last bits are not the scalar build's.
 */
export async function onBothBuilds<R>(run: () => R): Promise<{ simd: R; scalar: R; fused: boolean }> {
  await init({ simd: true });
  const fused = wasmBuild()?.startsWith('relaxed') === true;
  const simd = run();
  await init({ simd: false });
  const scalar = run();
  return { simd, scalar, fused };
}
