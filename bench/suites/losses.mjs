// The benchmark: softmax cross-entropy on float32 logits with class-index targets ('mean'), forward only
// and forward + gradient, and softmax alone, xentropy against every peer on the same machine in one run:
//   naive JS (bench/peers/naive.mjs), TensorFlow.js cpu and wasm backends (tf.losses.softmaxCrossEntropy,
//   gradient by tf.valueAndGrad), onnxruntime-node and onnxruntime-web (a one-node
//   SoftmaxCrossEntropyLoss model, forward only: inference has no gradient; and a Softmax model), PyTorch CPU
//   where Debian's python3-torch is installed (bench/peers/pytorch.py, after the others), and the memory floor
//   (Float32Array.prototype.set of the logits' bytes).
// Every implementation's loss is checked against a float64 computation before it is timed. Rounds
// interleave the implementations; each timing repeats its call for at least MIN_MS. Medians with their spread go
// to bench/results/losses/RESULTS-node<major>.md and results-node<major>.csv, the targets' table to
// targets-node<major>.md there (bench/suites/all-runtimes.mjs gathers them into bench/results/losses/RESULTS.md).
// Run: npm run bench   (installs bench/'s own dependencies first, then runs this on every Node it finds)
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { makeRandom, refCrossEntropy, refSoftmaxRow } from '../../build/reference.mjs';
import * as xentropy from '../../dist/index.js';
import { writeReport } from '../lib/report.mjs';
import { median, timeOnce } from '../lib/timing.mjs';
import { naiveCrossEntropy, naiveCrossEntropyWithGrad, naiveSoftmax } from '../peers/naive.mjs';
import { onnxruntimePeer } from '../peers/onnxruntime.mjs';
import { pytorchAvailable, pytorchPeer } from '../peers/pytorch.mjs';
import { initTfjs, tfjsPeer } from '../peers/tfjs.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '64x10,1024x1000,8192x1000,256x32000,16x128256')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 50);

function makeProblem(rows, classes) {
  const rand = makeRandom(42).next;
  const logits = Float32Array.from({ length: rows * classes }, () => 8 * rand() - 4);
  const targets = Int32Array.from({ length: rows }, () => Math.floor(rand() * classes));
  return { logits, targets };
}

// The builds timed: the plain SIMD build everywhere, and the relaxed-SIMD build where the engine runs it (init picks
// it by default there, so the targets are read from it); the scalar build once, for reference.
const relaxedRuns = await xentropy.init({ simd: true, relaxedSimd: true }).then(
  () => true,
  () => false,
);
const BUILDS = relaxedRuns ? ['simd', 'relaxed'] : ['simd'];
const DEFAULT_BUILD = BUILDS.at(-1);
const buildOptions = (impl) => ({
  simd: !impl.scalar,
  relaxedSimd: impl.build === 'relaxed',
  threads: impl.threads ?? 1,
});
await xentropy.init({ simd: true, relaxedSimd: false });
await initTfjs();

const results = [];

const hasTorch = pytorchAvailable();
for (const [rows, classes] of SHAPES) {
  const { logits, targets } = makeProblem(rows, classes);
  const n = rows * classes;
  const reference = refCrossEntropy(logits, [rows, classes], targets, false).loss; // float64, PyTorch's formula
  const input = { data: logits, shape: [rows, classes] };
  // Tensors in WebAssembly memory: one set per build in its one-thread instance, one in the shared memory of threads
  const resident = async (build, threads) => {
    await xentropy.init(buildOptions({ build, threads }));
    const tensors = {
      build,
      threads,
      logits: xentropy.allocTensor(Float32Array, [rows, classes]),
      grad: xentropy.allocTensor(Float32Array, [rows, classes]),
    };
    tensors.logits.data.set(logits);
    return tensors;
  };
  const tensorSets = [];
  for (const build of BUILDS) tensorSets.push(await resident(build, 1));
  tensorSets.push(await resident('simd', 2)); // threads run the one threads build, plain SIMD
  const tensorsOf = (build, threads) => tensorSets.find((t) => t.build === build && t.threads === threads);
  const copyTarget = new Float32Array(n);
  const gradOut = new Float32Array(n); // a caller's gradient array, reused call after call
  const naiveGrad = new Float32Array(n);
  const problem = { logits, targets, rows, classes };
  const probe = targets[0]; // softmax alone: each returns row 0's probability of its target
  const peers = [await tfjsPeer(problem, probe), await onnxruntimePeer(problem, probe)];
  const fromPeers = (mode) => Object.assign({}, ...peers.map((p) => p[mode]));
  // xentropy's rows for each build: tensors resident in WebAssembly memory ("zero-copy", one and two threads), and
  // plain typed arrays in (what a caller with logits from anywhere else has)
  const perBuild = (rowsOf) => Object.fromEntries(BUILDS.flatMap((build) => rowsOf(build)));
  const twoThreads = (build, run) =>
    build === 'simd' ? [[`xentropy ${build}, zero-copy, 2 threads`, { build, threads: 2, run }]] : [];
  const forward = {
    ...perBuild((build) => [
      [
        `xentropy ${build}, zero-copy`,
        { build, run: () => xentropy.crossEntropy(tensorsOf(build, 1).logits, targets) },
      ],
      ...twoThreads(build, () => xentropy.crossEntropy(tensorsOf(build, 2).logits, targets)),
      [`xentropy ${build}, plain arrays`, { build, run: () => xentropy.crossEntropy(input, targets) }],
    ]),
    'xentropy scalar, plain arrays': { scalar: true, run: () => xentropy.crossEntropy(input, targets) },
    'naive JS': () => naiveCrossEntropy(logits, targets, rows, classes),
    ...fromPeers('forward'),
    'memory floor (Float32Array.set)': { floor: true, run: () => copyTarget.set(logits) },
  };
  const withGrad = (tensor, options) => xentropy.crossEntropyWithGrad(tensor, targets, options).loss;
  const backward = {
    ...perBuild((build) => [
      [
        `xentropy ${build}, zero-copy`,
        { build, run: () => withGrad(tensorsOf(build, 1).logits, { out: tensorsOf(build, 1).grad.data }) },
      ],
      ...twoThreads(build, () => withGrad(tensorsOf(build, 2).logits, { out: tensorsOf(build, 2).grad.data })),
      [`xentropy ${build}, plain arrays, out reused`, { build, run: () => withGrad(input, { out: gradOut }) }],
    ]),
    [`xentropy ${DEFAULT_BUILD}, plain arrays, fresh gradient`]: { build: DEFAULT_BUILD, run: () => withGrad(input) },
    'xentropy scalar, plain arrays, out reused': { scalar: true, run: () => withGrad(input, { out: gradOut }) },
    'naive JS': () => naiveCrossEntropyWithGrad(logits, targets, rows, classes, naiveGrad),
    ...fromPeers('backward'),
    'memory floor (Float32Array.set)': { floor: true, run: () => copyTarget.set(logits) },
  };
  // softmax alone, checked against float64
  const softmaxReference = (() => {
    return refSoftmaxRow(Array.from(logits.subarray(0, classes)))[probe];
  })();
  const naiveSoftmaxOut = new Float32Array(n);
  const softmaxes = {
    ...perBuild((build) => [
      [
        `xentropy ${build}, zero-copy input`,
        { build, run: () => xentropy.softmax(tensorsOf(build, 1).logits).data[probe] },
      ],
      ...twoThreads(build, () => xentropy.softmax(tensorsOf(build, 2).logits).data[probe]),
      [`xentropy ${build}, plain arrays`, { build, run: () => xentropy.softmax(input).data[probe] }],
    ]),
    'naive JS': () => naiveSoftmax(logits, rows, classes, naiveSoftmaxOut)[probe],
    ...fromPeers('softmax'),
    'memory floor (Float32Array.set)': { floor: true, run: () => copyTarget.set(logits) },
  };
  const references = { forward: reference, 'forward + gradient': reference, softmax: softmaxReference };
  for (const [mode, impls] of [
    ['forward', forward],
    ['forward + gradient', backward],
    ['softmax', softmaxes],
  ]) {
    let entries = Object.entries(impls).map(([name, v]) => [name, typeof v === 'function' ? { run: v } : v]);
    // A peer that throws on a shape is reported, not timed; a wrong answer stops the benchmark.
    const failed = [];
    for (const [name, impl] of entries) {
      if (impl.floor) continue;
      await xentropy.init(buildOptions(impl));
      let value;
      try {
        value = await impl.run();
      } catch (error) {
        if (name.startsWith('xentropy')) throw error;
        failed.push(name);
        results.push({ shape: `[${rows}, ${classes}]`, mode, name, failed: String(error?.message ?? error) });
        continue;
      }
      const expected = references[mode];
      if (!(Math.abs(value - expected) <= 1e-4 * Math.abs(expected))) {
        throw new Error(`${name}, ${mode}, [${rows}, ${classes}]: ${value}, float64 reference ${expected}`);
      }
    }
    entries = entries.filter(([name]) => !failed.includes(name));
    const times = Object.fromEntries(entries.map(([name]) => [name, []]));
    // Rounds interleave the one-thread implementations; the two-thread rows get their own rounds after them, so
    // that workers start and stop once per mode, not around every other timing (a worker stopping slowed the row
    // timed after it by ~30 %).
    for (const group of [entries.filter(([, i]) => !(i.threads > 1)), entries.filter(([, i]) => i.threads > 1)]) {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [name, impl] of group) {
          await xentropy.init(buildOptions(impl));
          await impl.run(); // one untimed call first: no implementation pays for what the one before it left
          times[name].push(await timeOnce(impl.run, MIN_MS));
        }
      }
    }
    await xentropy.init({ simd: true, relaxedSimd: false, threads: 1 });
    for (const [name, impl] of entries) {
      const ms = median(times[name]);
      results.push({
        shape: `[${rows}, ${classes}]`,
        mode,
        name,
        ms,
        min: Math.min(...times[name]),
        max: Math.max(...times[name]),
        melems: n / ms / 1e3,
        floor: !!impl.floor,
        ours: name.startsWith('xentropy'),
      });
    }
    process.stdout.write(`done [${rows}, ${classes}] ${mode}\n`);
  }
  if (hasTorch) {
    const name = 'PyTorch CPU (1 thread)';
    for (const [mode, { loss, ms }] of Object.entries(pytorchPeer(problem, ROUNDS, MIN_MS))) {
      if (!(Math.abs(loss - reference) <= 1e-4 * Math.abs(reference))) {
        throw new Error(`${name}, ${mode}, [${rows}, ${classes}]: ${loss}, float64 reference ${reference}`);
      }
      const median_ms = median(ms);
      const row = {
        shape: `[${rows}, ${classes}]`,
        mode,
        name,
        ms: median_ms,
        min: Math.min(...ms),
        max: Math.max(...ms),
      };
      results.push({ ...row, melems: n / median_ms / 1e3, floor: false, ours: false });
    }
  }
  for (const t of tensorSets) {
    await xentropy.init(buildOptions(t));
    t.logits.free();
    t.grad.free();
  }
  for (const peer of peers) await peer.dispose();
}

// Tables: per shape and mode, ratios to the fastest peer (its time / ours: above 1 is faster) and to the floor.
const lines = [];
const csv = ['shape,mode,implementation,median_ms,min_ms,max_ms,melem_per_s'];
for (const shape of [...new Set(results.map((r) => r.shape))]) {
  for (const mode of ['forward', 'forward + gradient', 'softmax']) {
    const group = results.filter((r) => r.shape === shape && r.mode === mode && !r.failed);
    const peers = group.filter((r) => !r.ours && !r.floor);
    const fastestPeer = peers.reduce((a, b) => (b.ms < a.ms ? b : a));
    const floor = group.find((r) => r.floor);
    lines.push(`\n### ${shape}, ${mode}\n`);
    const columns = ['median ms', 'min–max ms', 'Melem/s', `speed vs fastest peer (${fastestPeer.name})`];
    columns.push('time vs memory floor');
    lines.push(`| implementation | ${columns.join(' | ')} |`);
    lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of group) {
      const cells = [r.ms.toFixed(3), `${r.min.toFixed(3)}–${r.max.toFixed(3)}`, r.melems.toFixed(0)];
      cells.push(`${(fastestPeer.ms / r.ms).toFixed(2)}×`, `${(r.ms / floor.ms).toFixed(1)}×`);
      lines.push(`| ${r.name} | ${cells.join(' | ')} |`);
      csv.push(`${shape.replace(', ', 'x').slice(1, -1)},${mode},${r.name},${r.ms},${r.min},${r.max},${r.melems}`);
    }
    for (const r of results.filter((x) => x.shape === shape && x.mode === mode && x.failed)) {
      lines.push(`| ${r.name} | failed: ${r.failed.replace(/\|/g, '/').slice(0, 80)} | | | | |`);
    }
  }
}
const find = (shape, mode, name) => results.find((r) => r.shape === shape && r.mode === mode && r.name === name);
// The issue's targets, read from the build init() picks here (relaxed SIMD where the engine runs it), plain arrays
// in, `out` reused, one thread: round two's on Node 20 (no relaxed SIMD), round three's on the runtimes with it.
const major = Number(process.versions.node.split('.')[0]);
const runtime = `Node ${process.versions.node}`;
const strict = major < 22;
const D = DEFAULT_BUILD;
const TARGETS = [
  ['forward vs onnxruntime-node (1 thread)', strict ? 0.9 : 1.3, 'forward', 'onnxruntime-node (1 thread)', 'forward'],
  [
    'forward + gradient vs onnxruntime-node forward alone',
    strict ? 0.75 : 1,
    'forward + gradient',
    'onnxruntime-node (1 thread)',
    'forward',
  ],
  ['forward + gradient vs naive JS', 10, 'forward + gradient', 'naive JS', 'forward + gradient'],
  ['forward vs naive JS', undefined, 'forward', 'naive JS', 'forward'],
  [
    'forward + gradient vs TensorFlow.js wasm',
    strict ? 30 : 10,
    'forward + gradient',
    'TensorFlow.js wasm',
    'forward + gradient',
  ],
  ['forward vs TensorFlow.js wasm', undefined, 'forward', 'TensorFlow.js wasm', 'forward'],
  [
    'forward + gradient vs PyTorch CPU forward + backward (1 thread)',
    strict ? 10 : 2.5,
    'forward + gradient',
    'PyTorch CPU (1 thread)',
    'forward + gradient',
  ],
  ['forward vs PyTorch CPU (1 thread)', undefined, 'forward', 'PyTorch CPU (1 thread)', 'forward'],
  ['softmax, fresh output, vs TensorFlow.js wasm tf.softmax', 1, 'softmax', 'TensorFlow.js wasm', 'softmax'],
  [
    'softmax, fresh output, vs onnxruntime-node Softmax',
    undefined,
    'softmax',
    'onnxruntime-node Softmax (1 thread)',
    'softmax',
  ],
];
const oursIn = (mode) =>
  mode === 'forward + gradient' ? `xentropy ${D}, plain arrays, out reused` : `xentropy ${D}, plain arrays`;
const targetShapes = ['[8192, 1000]', '[256, 32000]', '[16, 128256]'].filter((shape) =>
  find(shape, 'forward', 'naive JS'),
);
const targetRows = [];
for (const [label, asked, mode, peer, peerMode] of TARGETS) {
  const cells = targetShapes.map((shape) => {
    const ours = find(shape, mode, oursIn(mode));
    const theirs = find(shape, peerMode, peer);
    if (!ours?.ms || !theirs?.ms) return 'n/a';
    const ratio = theirs.ms / ours.ms;
    // at the other shapes the issue asks for the same ratio within 15 %
    const verdict = asked === undefined ? '' : ratio >= asked ? ' ✓' : ratio >= 0.85 * asked ? ' (within 15 %)' : ' ✗';
    return `${ratio.toFixed(ratio < 10 ? 2 : 1)}×${verdict}`;
  });
  targetRows.push(`| ${label} | ${asked === undefined ? '—' : `≥ ${asked}×`} | ${cells.join(' | ')} |`);
}
const copies = targetShapes.map((shape) => {
  const ratio = (mode) =>
    (find(shape, mode, oursIn(mode)).ms / find(shape, mode, `xentropy ${D}, zero-copy`).ms).toFixed(2);
  return `${ratio('forward')}× / ${ratio('forward + gradient')}×`;
});
targetRows.push(`| plain arrays over zero-copy, forward / forward + gradient | ≤ 1.1× | ${copies.join(' | ')} |`);
const targetTable = [
  `| ${runtime}, xentropy ${D} build (one thread, plain arrays in, out reused) | asked | ${targetShapes.join(' | ')} |`,
  `| --- | ---: | ${targetShapes.map(() => '---:').join(' | ')} |`,
  ...targetRows,
].join('\n');
const tag = `node${major}`;
const report = `# Benchmark results, ${runtime}

\`npm run bench\`: softmax cross-entropy, float32 logits, class-index targets, reduction 'mean'. ${ROUNDS}
interleaved rounds, each timing repeated for at least ${MIN_MS} ms; medians with min–max. One thread
everywhere but the "2 threads" rows. ${runtime} (V8 ${process.versions.v8}), ${os.cpus()[0]?.model ?? 'unknown CPU'},
${os.cpus().length} cores (a shared machine: spreads are wide). xentropy builds: ${BUILDS.join(', ')} (init's default:
${D}), and scalar.
"Speed vs fastest peer" is the fastest peer's time over this implementation's (above 1:
faster than every peer); "time vs memory floor" is this time over one \`Float32Array.set\` of the logits.
xentropy "plain arrays" takes typed arrays from anywhere ("out reused": the caller's gradient array, passed as
\`out\` call after call; "fresh gradient": a new one each call); "zero-copy" works on tensors from \`allocTensor\`
with a resident \`out\`. TensorFlow.js cpu is timed at the small shapes only (seconds per call beyond).

## Targets

Ratios are the peer's time over xentropy's (above 1: xentropy is faster).

${targetTable}

## All shapes
${lines.join('\n')}
`;
writeReport('losses', `RESULTS-${tag}.md`, report);
writeFileSync(new URL(`../results/losses/results-${tag}.csv`, import.meta.url), `${csv.join('\n')}\n`);
writeFileSync(new URL(`../results/losses/targets-${tag}.md`, import.meta.url), `${targetTable}\n`);
console.log(report);
