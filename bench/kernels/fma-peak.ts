// The machine's fused multiply-add peak as WebAssembly reaches it: twelve independent f32x4.relaxed_madd chains
// (enough to cover the FMA latency on two pipes; twelve accumulators and two constants fit 16 vector registers),
// nothing loaded or stored in the loop. Each iteration is 12 × 4 lanes × 2 = 96 float32 operations.
// bench/suites/fma-peak.mjs compiles it with asc and times it per engine.

export function fmaChains(iterations: i32, scale: f32, shift: f32): f32 {
  // (arguments, not constants: a constant would be folded into every madd and rematerialised there)
  const b = f32x4.splat(scale);
  const c = f32x4.splat(shift);
  let a0 = f32x4.splat(1.0);
  let a1 = f32x4.splat(1.1);
  let a2 = f32x4.splat(1.2);
  let a3 = f32x4.splat(1.3);
  let a4 = f32x4.splat(1.4);
  let a5 = f32x4.splat(1.5);
  let a6 = f32x4.splat(1.6);
  let a7 = f32x4.splat(1.7);
  let a8 = f32x4.splat(1.8);
  let a9 = f32x4.splat(1.9);
  let a10 = f32x4.splat(2.0);
  let a11 = f32x4.splat(2.1);
  for (let i = 0; i < iterations; i++) {
    a0 = f32x4.relaxed_madd(a0, b, c);
    a1 = f32x4.relaxed_madd(a1, b, c);
    a2 = f32x4.relaxed_madd(a2, b, c);
    a3 = f32x4.relaxed_madd(a3, b, c);
    a4 = f32x4.relaxed_madd(a4, b, c);
    a5 = f32x4.relaxed_madd(a5, b, c);
    a6 = f32x4.relaxed_madd(a6, b, c);
    a7 = f32x4.relaxed_madd(a7, b, c);
    a8 = f32x4.relaxed_madd(a8, b, c);
    a9 = f32x4.relaxed_madd(a9, b, c);
    a10 = f32x4.relaxed_madd(a10, b, c);
    a11 = f32x4.relaxed_madd(a11, b, c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
