// A/B of two builds of the package in one process: `node bench/suites/ab.mjs BASE_DIST NEW_DIST [ROUNDS]` loads both
// dist/ folders (each its own WebAssembly instance), times each case on A then B in interleaved rounds, and prints
// the minima and medians and B ÷ A (below 1: B is faster). The cases are the ones a change to the pipeline or the
// kernels' ABI must keep: [8192, 1000] forward and forward + gradient, zero-copy and from plain arrays with `out`
// reused; three elementwise losses, zero-copy; small calls ([1, 10], [64, 10]; µs per call); the fused linear
// path at [512, 256, 32000].
import { arch, cpus, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { median, timeOnce } from '../lib/timing.mjs';
import { seededValues } from '../lib/values.mjs';

const [baseDir, newDir, roundsArg] = process.argv.slice(2);
if (!baseDir || !newDir) throw new Error('usage: node bench/suites/ab.mjs BASE_DIST NEW_DIST [ROUNDS]');
const ROUNDS = Number(roundsArg ?? 7);

/** The cases on one library: each a function to time, and the ms it should run for per round. */
async function cases(lib) {
  await lib.init();
  const [N, C] = [8192, 1000];
  const logits = seededValues(N * C, 1);
  const targets = Int32Array.from({ length: N }, (_, i) => (i * 7919) % C);
  const resident = lib.allocTensor(Float32Array, [N, C]);
  resident.data.set(logits);
  const residentGrad = lib.allocTensor(Float32Array, [N, C]);
  const residentTarget = lib.allocTensor(Float32Array, [N, C]);
  residentTarget.data.set(seededValues(N * C, 4).map((v) => (v + 4) / 8)); // probabilities
  const out = new Float32Array(N * C);
  const small = (rows) => ({ data: seededValues(rows * 10, rows), shape: [rows, 10] });
  const [one, sixtyFour] = [small(1), small(64)];
  const [oneT, sixtyFourT] = [new Int32Array(1), Int32Array.from({ length: 64 }, (_, i) => i % 10)];
  const [n, d, V] = [512, 256, 32000];
  const hidden = { data: seededValues(n * d, 2).map((v) => v / 8), shape: [n, d] };
  const head = { data: seededValues(V * d, 3).map((v) => v / 32), shape: [V, d] };
  const tokens = Int32Array.from({ length: n }, (_, i) => (i * 104729) % V);
  return {
    '[8192, 1000] forward, zero-copy (ms)': () => lib.crossEntropy(resident, targets),
    '[8192, 1000] forward + gradient, zero-copy (ms)': () =>
      lib.crossEntropyWithGrad(resident, targets, { out: residentGrad.data }),
    '[8192, 1000] forward, plain arrays (ms)': () => lib.crossEntropy({ data: logits, shape: [N, C] }, targets),
    '[8192, 1000] forward + gradient, plain arrays, out reused (ms)': () =>
      lib.crossEntropyWithGrad({ data: logits, shape: [N, C] }, targets, { out }),
    '[8192, 1000] mseLoss, zero-copy (ms)': () => lib.mseLoss(resident, residentTarget),
    '[8192, 1000] klDiv, zero-copy (ms)': () => lib.klDiv(resident, residentTarget),
    '[8192, 1000] BCE with logits + gradient, zero-copy (ms)': () =>
      lib.binaryCrossEntropyWithLogitsWithGrad(resident, residentTarget, { out: residentGrad.data }),
    '[1, 10] crossEntropy (µs)': () => lib.crossEntropy(one, oneT),
    '[1, 10] crossEntropyWithGrad (µs)': () => lib.crossEntropyWithGrad(one, oneT),
    '[64, 10] crossEntropy (µs)': () => lib.crossEntropy(sixtyFour, sixtyFourT),
    '[1, 10] softmax (µs)': () => lib.softmax(one),
    'linear [512, 256, 32000] forward + gradients (ms)': () => lib.linearCrossEntropyWithGrad(hidden, head, tokens),
  };
}

/** Time per call of `fn`, in the case's unit. */
async function time(name, fn) {
  const micro = name.includes('(µs)');
  const perCall = await timeOnce(fn, micro ? 150 : 400);
  return micro ? perCall * 1000 : perCall;
}

const libs = [
  await import(pathToFileURL(`${baseDir}/index.js`).href),
  await import(pathToFileURL(`${newDir}/index.js`).href),
];
const suites = [await cases(libs[0]), await cases(libs[1])];
// AB_ONLY=µs: only the cases whose name holds that text
const names = Object.keys(suites[0]).filter((name) => name.includes(process.env.AB_ONLY ?? ''));
const samples = names.map(() => [[], []]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [c, name] of names.entries()) {
    for (const side of round % 2 ? [1, 0] : [0, 1]) {
      await suites[side][name](); // one untimed call
      samples[c][side].push(await time(name, suites[side][name]));
    }
  }
}
const fmt = (v) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
console.log(`# A/B: ${baseDir} (A) against ${newDir} (B)\n`);
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${platform()} ${arch()}`;
console.log(`${machine}, Node ${process.versions.node}, ${ROUNDS} interleaved rounds\n`);
console.log(
  '| case | A min / median | B min / median | B ÷ A (min) | B ÷ A (median) |\n| --- | ---: | ---: | ---: | ---: |',
);
for (const [c, name] of names.entries()) {
  const [a, b] = samples[c];
  const [am, bm, amed, bmed] = [Math.min(...a), Math.min(...b), median(a), median(b)];
  const ratios = `${(bm / am).toFixed(2)} | ${(bmed / amed).toFixed(2)}`;
  console.log(`| ${name} | ${fmt(am)} / ${fmt(amed)} | ${fmt(bm)} / ${fmt(bmed)} | ${ratios} |`);
}
