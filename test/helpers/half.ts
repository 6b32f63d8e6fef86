// Rounding to float16 (IEEE 754 binary16: 11 significant bits, exponents from −14, largest finite 65504), to
// nearest with ties to even, written out from the format's definition: the reference for Float16Array results.

/** x rounded to the nearest float16 value. */
export function roundToHalf(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const magnitude = Math.abs(x);
  // 65520 lies halfway between 65504 and 2^16, which is even: it and everything above become infinity
  if (magnitude >= 65520) return Math.sign(x) * Number.POSITIVE_INFINITY;
  let exponent = Math.max(-14, Math.floor(Math.log2(magnitude)));
  while (exponent > -14 && 2 ** exponent > magnitude) exponent--;
  while (2 ** (exponent + 1) <= magnitude) exponent++;
  const ulp = 2 ** (exponent - 10);
  const scaled = magnitude / ulp; // exact: a power-of-two scaling
  const floor = Math.floor(scaled);
  const rest = scaled - floor;
  const rounded = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return Math.sign(x) * rounded * ulp;
}
