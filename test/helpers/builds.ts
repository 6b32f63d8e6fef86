// Runs the same calls on the SIMD build and on the scalar build (its plain reference loops).
import { init } from '../../src/index.js';

export async function onBothBuilds<R>(run: () => R): Promise<{ simd: R; scalar: R }> {
  await init({ simd: true });
  const simd = run();
  await init({ simd: false });
  const scalar = run();
  return { simd, scalar };
}
