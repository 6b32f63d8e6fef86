// Run by test/correctness/distill.test.ts on Node 22, 24 and 26 (and on this Node, for the builds it has): the
// distillation divergences of every build init() can pick, on logits up to ±1e38, held to the float64 reference
// (reference/distill.ts: two log-softmaxes and their terms). Each element's log-ratio comes from the logits,
// ((t − s) − (max t − max s)) / τ + the logs' gap; written as (t − s) / τ plus one shift, it lost ε · 1e38 / τ at the
// rows' common argmax in the relaxed build, whose fused multiply-add left one of the two products unrounded: a TVD of
// 1e267 and a negative KL; and in every build ε · K for a teacher offset by K from the student (a negative KL at
// K = 1e12 in float64), until rows whose maxima lie apart took each max from its own row. Prints JSON: per build, the
// cases tried and the first failures.

import { makeRandom, refDistill } from '../../build/reference.mjs';
import * as x from '../../dist/index.js';

const DIVERGENCES = [
  [x.distillKlDiv, {}, 'forward'],
  [x.distillKlDiv, { direction: 'reverse' }, 'reverse'],
  [x.jsd, {}, 'jsd'],
  [x.tvd, {}, 'tvd'],
];

/** Logits of each family: huge, random in sign, with the rows' maxima at the same place or apart; near the
 * student's; or those offset by 1e12. */
function logits(r, family, n) {
  const huge = () => (r.next() < 0.5 ? 1e38 : -1e38) * r.uniform(0.5, 3);
  if (family === 'huge') return [Array.from({ length: n }, huge), Array.from({ length: n }, huge)];
  const student = Array.from({ length: n }, () => 3 * r.normal());
  // a teacher offset from the student by a large constant (its softmax the same, but for the small change)
  const offset = family === 'offset' ? 1e12 : 0;
  return [student, student.map((v) => v + offset + 1e-3 * r.normal())];
}

function failuresOf(build, dtype) {
  const Float = dtype === 'f32' ? Float32Array : Float64Array;
  const failures = [];
  let cases = 0;
  for (const family of ['huge', 'near', 'offset']) {
    for (const cols of [2, 3, 5, 17]) {
      // (the reference divides by τ first, as PyTorch does, which rounds a logit of 1e12 by ε · 1e12 / τ but at a τ
      // that is a power of 2)
      for (const temperature of family === 'offset' ? [1, 2] : [1, 2, 3]) {
        const r = makeRandom(cols * 7919 + temperature + family.length);
        const [s, t] = logits(r, family, 3 * cols).map((v) => Float.from(v));
        for (const [divergenceOf, options, divergence] of DIVERGENCES) {
          cases++;
          const got = divergenceOf(
            { data: s, shape: [3, cols] },
            { data: t, shape: [3, cols] },
            {
              ...options,
              temperature,
              reduction: 'none',
            },
          ).data;
          const exact = refDistill(s, t, cols, { divergence, temperature, reduction: 'none' }).loss;
          const want = dtype === 'f32' ? exact.map(Math.fround) : exact; // (a KL past 3.4e38 is inf in float32)
          // a few roundings of the term, relative to it and to the row's scale (1, or τ² for the KLs)
          const scale = divergence === 'forward' || divergence === 'reverse' ? temperature ** 2 : 1;
          const tol = dtype === 'f32' ? 2e-6 : 1e-13;
          const close = (g, w) => g === w || Math.abs(g - w) <= tol * (Math.abs(w) + scale);
          const bad = want.findIndex((w, j) => !close(got[j], w));
          const where = `${build} ${dtype} ${divergence} ${family} [3, ${cols}] τ ${temperature}`;
          if (bad >= 0 && failures.length < 10) failures.push(`${where}: [${bad}] ${got[bad]}, not ${want[bad]}`);
        }
      }
    }
  }
  return { cases, failures };
}

const results = {};
for (const init of [{ simd: true }, { simd: true, relaxedSimd: false }, { simd: false }]) {
  try {
    await x.init({ ...init, threads: 1, warnings: false });
  } catch {
    continue; // (no relaxed SIMD here)
  }
  const build = x.wasmBuild();
  if (results[build]) continue;
  const [f32, f64] = [failuresOf(build, 'f32'), failuresOf(build, 'f64')];
  results[build] = { cases: f32.cases + f64.cases, failures: [...f32.failures, ...f64.failures] };
}
console.log(JSON.stringify(results));
