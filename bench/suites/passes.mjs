// Where the time of a softmax cross-entropy goes: each kernel timed on zero-copy float32 [8192, 1000] in
// WebAssembly memory, one thread, as ns and cycles per element (at the clock /proc/cpuinfo reports), beside an
// exp-only loop (the vector exp's throughput limit) and a memory copy (the bandwidth floor). Writes nothing:
// bench/NOTES.md quotes a run. `node bench/suites/passes.mjs` after `npm ci`.
import { readFileSync } from 'node:fs';
import * as x from '../../build/internal/internal.js';

const [rows, cols] = [8192, 1000];
const n = rows * cols;
const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? NaN);
const median = (f, reps = 25) => {
  for (let i = 0; i < 3; i++) f();
  const times = Array.from({ length: reps }, () => {
    const t = performance.now();
    f();
    return performance.now() - t;
  }).sort((a, b) => a - b);
  return times[reps >> 1];
};
/** The build's vector exp over the logits, in an instance of its math build (build/math/) holding a copy. */
function expOnly(build, logits) {
  const file = build === 'relaxed-simd' ? 'relaxed' : build;
  const bytes = readFileSync(new URL(`../../build/math/xentropy.${file}.wasm`, import.meta.url));
  const math = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort() {} } }).exports;
  const base = math.scratch(2 * logits.byteLength);
  new Float32Array(math.memory.buffer, base, logits.length).set(logits);
  return () => math.expNonPositiveF32(base, logits.length, 1, base + logits.byteLength);
}
const report = [];
// the relaxed-SIMD build where the engine runs it (Node 22 and later), which init picks there by default
const relaxed = await x.init({ simd: true, relaxedSimd: true, threads: 1 }).then(
  () => true,
  () => false,
);
for (const build of [...(relaxed ? ['relaxed-simd'] : []), 'simd', 'scalar']) {
  await x.init({ simd: build !== 'scalar', relaxedSimd: build === 'relaxed-simd', threads: 1 });
  const kernels = x.wasm('passes');
  const logits = x.allocTensor(Float32Array, [rows, cols]);
  const out = x.allocTensor(Float32Array, [rows, cols]);
  logits.data.forEach((_, i) => {
    logits.data[i] = Math.sin(i * 0.37) * 4;
  });
  const targets = Int32Array.from({ length: rows }, (_, i) => (i * 7) % cols);
  const at = (t) => t.data.byteOffset;
  const rowsOut = x.allocTensor(Float32Array, [rows]);
  const runs = {
    'memory copy (TypedArray.set)': () => out.data.set(logits.data),
    'exp only (vector exp, 1 pass)': expOnly(build, logits.data),
    'logSumExp (max, Σ exp)': () => kernels.logSumExpF32(at(logits), rows, cols, at(rowsOut)),
    'softmax (max, exp stored, scale)': () => kernels.softmaxF32(at(logits), rows, cols, at(out)),
    'crossEntropy forward': () => x.crossEntropy(logits, targets),
    'crossEntropy forward + gradient': () => x.crossEntropyWithGrad(logits, targets, { out: out.data }),
  };
  for (const [name, run] of Object.entries(runs)) {
    const ms = median(run);
    const ns = (ms * 1e6) / n;
    report.push(`| ${build} | ${name} | ${ms.toFixed(2)} | ${ns.toFixed(2)} | ${(ns * mhz * 1e-3).toFixed(2)} |`);
  }
  for (const t of [logits, out, rowsOut]) t.free();
}
console.log(`Node ${process.version}, ${mhz} MHz reported, float32 [${rows}, ${cols}], zero-copy, one thread\n`);
console.log('| build | pass | median ms | ns/element | cycles/element |\n| --- | --- | ---: | ---: | ---: |');
console.log(report.join('\n'));
