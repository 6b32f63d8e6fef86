// The benchmark: softmax cross-entropy on float32 logits with class-index targets ('mean'), forward only
// and forward + gradient, and softmax alone, xentropy against every peer on the same machine in one run:
//   naive JS (bench/naive.mjs), TensorFlow.js cpu and wasm backends (tf.losses.softmaxCrossEntropy,
//   gradient by tf.valueAndGrad), onnxruntime-node and onnxruntime-web (a one-node
//   SoftmaxCrossEntropyLoss model, forward only: inference has no gradient; and a Softmax model), PyTorch CPU
//   where Debian's python3-torch is installed (bench/pytorch_peer.py, after the others), and the memory floor
//   (Float32Array.prototype.set of the logits' bytes).
// Every implementation's loss is checked against a float64 computation before it is timed. Rounds
// interleave the implementations; each timing repeats its call for at least MIN_MS. Medians with their
// spread go to bench/RESULTS.md and bench/results.csv.
// Run: npm run bench   (installs bench/'s own dependencies first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { makeRandom, refCrossEntropy, refSoftmaxRow } from '../build/reference.mjs';
import * as xentropy from '../dist/index.js';
import { loadModel, softmaxCrossEntropyModel, softmaxModel } from './make-onnx-models.mjs';
import { naiveCrossEntropy, naiveCrossEntropyWithGrad, naiveSoftmax } from './naive.mjs';

const SHAPES = (process.env.BENCH_SHAPES ?? '64x10,1024x1000,8192x1000,256x32000,16x128256')
  .split(',')
  .map((s) => s.split('x').map(Number));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 50);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timeOnce(fn) {
  let reps = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    await fn();
    reps++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_MS);
  return elapsed / reps;
}

function makeProblem(rows, classes) {
  const rand = makeRandom(42).next;
  const logits = Float32Array.from({ length: rows * classes }, () => 8 * rand() - 4);
  const targets = Int32Array.from({ length: rows }, () => Math.floor(rand() * classes));
  return { logits, targets };
}

await xentropy.init({ simd: true });
ortWeb.env.wasm.numThreads = 1;
ortWeb.env.logLevel = 'error';
const backends = {};
for (const name of ['cpu', 'wasm']) {
  await tf.setBackend(name);
  await tf.ready();
  backends[name] = true;
}

const results = [];

// PyTorch CPU (1 thread) as a peer where it is installed (Debian's python3-torch): bench/pytorch_peer.py times
// F.cross_entropy forward and forward + backward on the same logits, after the interleaved rounds of the others.
const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.log(`PyTorch CPU is left out: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
function pytorchPeer(logits, targets, rows, classes) {
  const dir = mkdtempSync(join(os.tmpdir(), 'xentropy-bench-'));
  try {
    writeFileSync(join(dir, 'logits'), logits);
    writeFileSync(join(dir, 'targets'), targets);
    const script = new URL('./pytorch_peer.py', import.meta.url).pathname;
    const args = [script, join(dir, 'logits'), join(dir, 'targets'), rows, classes, ROUNDS, MIN_MS].map(String);
    const run = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`PyTorch peer failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const [rows, classes] of SHAPES) {
  const { logits, targets } = makeProblem(rows, classes);
  const n = rows * classes;
  const reference = refCrossEntropy(logits, [rows, classes], targets, false).loss; // float64, PyTorch's formula
  const input = { data: logits, shape: [rows, classes] };
  // Tensors in WebAssembly memory, one set in the one-thread instance and one in the shared memory of threads
  const resident = async (threads) => {
    await xentropy.init({ simd: true, threads });
    const tensors = {
      logits: xentropy.allocTensor(Float32Array, [rows, classes]),
      grad: xentropy.allocTensor(Float32Array, [rows, classes]),
    };
    tensors.logits.data.set(logits);
    return tensors;
  };
  const one = await resident(1);
  const two = await resident(2);
  const copyTarget = new Float32Array(n);
  const naiveGrad = new Float32Array(n);
  // one-hot labels built in JS (tfjs-wasm's tf.oneHot of float32 is unreliable)
  const oneHot = new Float32Array(n);
  targets.forEach((t, r) => {
    oneHot[r * classes + t] = 1;
  });
  const tfTensors = {};
  for (const name of Object.keys(backends)) {
    await tf.setBackend(name);
    tfTensors[name] = { logits: tf.tensor2d(logits, [rows, classes]), labels: tf.tensor2d(oneHot, [rows, classes]) };
  }
  const model = loadModel(`sce-${classes}.onnx`, () => softmaxCrossEntropyModel(classes));
  const softmaxOnnx = loadModel(`softmax-${classes}.onnx`, () => softmaxModel(classes));
  const ortNodeSession = await ortNode.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const ortWebSession = await ortWeb.InferenceSession.create(model);
  const ortNodeSoftmax = await ortNode.InferenceSession.create(softmaxOnnx, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const ortWebSoftmax = await ortWeb.InferenceSession.create(softmaxOnnx);
  const feeds = (ort) => ({
    scores: new ort.Tensor('float32', logits, [rows, classes]),
    labels: new ort.Tensor(
      'int64',
      BigInt64Array.from(targets, (t) => BigInt(t)),
      [rows],
    ),
  });
  const [nodeFeeds, webFeeds] = [feeds(ortNode), feeds(ortWeb)];
  const tfLoss = (name) => tf.losses.softmaxCrossEntropy(tfTensors[name].labels, tfTensors[name].logits);
  const tfRun = (name, withGrad) => async () => {
    if (tf.getBackend() !== name) await tf.setBackend(name);
    if (!withGrad) return tf.tidy(() => tfLoss(name).dataSync()[0]);
    return tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((l) => tf.losses.softmaxCrossEntropy(tfTensors[name].labels, l))(
        tfTensors[name].logits,
      );
      grad.dataSync();
      return value.dataSync()[0];
    });
  };
  const forward = {
    'xentropy simd, zero-copy': () => xentropy.crossEntropy(one.logits, targets),
    'xentropy simd, zero-copy, 2 threads': { threads: 2, run: () => xentropy.crossEntropy(two.logits, targets) },
    'xentropy simd, copies': () => xentropy.crossEntropy(input, targets),
    'xentropy scalar, copies': { scalar: true, run: () => xentropy.crossEntropy(input, targets) },
    'naive JS': () => naiveCrossEntropy(logits, targets, rows, classes),
    'TensorFlow.js cpu': tfRun('cpu', false),
    'TensorFlow.js wasm': tfRun('wasm', false),
    'onnxruntime-node (1 thread)': async () => (await ortNodeSession.run(nodeFeeds)).loss.data[0],
    'onnxruntime-web wasm (1 thread)': async () => (await ortWebSession.run(webFeeds)).loss.data[0],
    'memory floor (Float32Array.set)': { floor: true, run: () => copyTarget.set(logits) },
  };
  const backward = {
    'xentropy simd, zero-copy': () => xentropy.crossEntropyWithGrad(one.logits, targets, { out: one.grad.data }).loss,
    'xentropy simd, zero-copy, 2 threads': {
      threads: 2,
      run: () => xentropy.crossEntropyWithGrad(two.logits, targets, { out: two.grad.data }).loss,
    },
    'xentropy simd, copies': () => xentropy.crossEntropyWithGrad(input, targets).loss,
    'xentropy scalar, copies': { scalar: true, run: () => xentropy.crossEntropyWithGrad(input, targets).loss },
    'naive JS': () => naiveCrossEntropyWithGrad(logits, targets, rows, classes, naiveGrad),
    'TensorFlow.js cpu': tfRun('cpu', true),
    'TensorFlow.js wasm': tfRun('wasm', true),
    'memory floor (Float32Array.set)': { floor: true, run: () => copyTarget.set(logits) },
  };
  // softmax alone: each returns row 0's probability of its target, checked against float64
  const probe = targets[0];
  const softmaxReference = (() => {
    return refSoftmaxRow(Array.from(logits.subarray(0, classes)))[probe];
  })();
  const naiveSoftmaxOut = new Float32Array(n);
  const softmaxes = {
    'xentropy simd, zero-copy input': () => xentropy.softmax(one.logits).data[probe],
    'xentropy simd, zero-copy, 2 threads': { threads: 2, run: () => xentropy.softmax(two.logits).data[probe] },
    'xentropy simd, copies': () => xentropy.softmax(input).data[probe],
    'naive JS': () => naiveSoftmax(logits, rows, classes, naiveSoftmaxOut)[probe],
    'TensorFlow.js wasm': async () => {
      if (tf.getBackend() !== 'wasm') await tf.setBackend('wasm');
      return tf.tidy(() => tf.softmax(tfTensors.wasm.logits).dataSync()[probe]);
    },
    'onnxruntime-node Softmax (1 thread)': async () =>
      (await ortNodeSoftmax.run({ x: nodeFeeds.scores })).y.data[probe],
    'onnxruntime-web Softmax (1 thread)': async () => (await ortWebSoftmax.run({ x: webFeeds.scores })).y.data[probe],
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
      await xentropy.init({ simd: !impl.scalar, threads: impl.threads ?? 1 });
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
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, impl] of entries) {
        await xentropy.init({ simd: !impl.scalar, threads: impl.threads ?? 1 });
        times[name].push(await timeOnce(impl.run));
      }
    }
    await xentropy.init({ simd: true, threads: 1 });
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
    for (const [mode, { loss, ms }] of Object.entries(pytorchPeer(logits, targets, rows, classes))) {
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
  await xentropy.init({ simd: true, threads: 2 });
  two.logits.free();
  two.grad.free();
  await xentropy.init({ simd: true, threads: 1 });
  one.logits.free();
  one.grad.free();
  for (const t of Object.values(tfTensors)) tf.dispose([t.logits, t.labels]);
  for (const session of [ortNodeSession, ortWebSession, ortNodeSoftmax, ortWebSoftmax]) await session.release();
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
const targetLines = [];
const big = '[8192, 1000]';
if (find(big, 'forward', 'naive JS')) {
  const fb = (name) => find(big, 'forward + gradient', name).ms;
  const f = (name) => find(big, 'forward', name).ms;
  const zero = fb('xentropy simd, zero-copy');
  const ortForward = f('onnxruntime-node (1 thread)');
  const ratio = (a, b, digits) => (a / b).toFixed(digits);
  targetLines.push(
    `- forward + gradient, zero-copy, vs TensorFlow.js wasm: ${ratio(fb('TensorFlow.js wasm'), zero, 1)}× faster`,
    `- forward + gradient, zero-copy, vs naive JS: ${ratio(fb('naive JS'), zero, 1)}× faster`,
    `- forward + gradient, zero-copy, vs onnxruntime-node forward only (1 thread): ${ratio(ortForward, zero, 2)}×`,
    `- 2 threads vs 1, forward + gradient, zero-copy: ${ratio(zero, fb('xentropy simd, zero-copy, 2 threads'), 2)}×`,
    `- forward only vs onnxruntime-node (1 thread): ${ratio(ortForward, f('xentropy simd, zero-copy'), 2)}×`,
    ...(find(big, 'forward', 'PyTorch CPU (1 thread)')
      ? [
          `- forward, copies, vs PyTorch CPU (1 thread): ` +
            `${ratio(f('PyTorch CPU (1 thread)'), f('xentropy simd, copies'), 2)}×`,
          `- forward + gradient, copies, vs PyTorch CPU forward + backward (1 thread): ` +
            `${ratio(fb('PyTorch CPU (1 thread)'), fb('xentropy simd, copies'), 1)}×`,
        ]
      : ['- PyTorch CPU: not installed on this machine, left out']),
    `- forward + gradient with copies (plain arrays in, fresh gradient out): ` +
      `${ratio(8192 * 1000, fb('xentropy simd, copies') * 1e6, 2)} Gelem/s`,
  );
}
const report = `# Benchmark results

\`npm run bench\`: softmax cross-entropy, float32 logits, class-index targets, reduction 'mean'. ${ROUNDS}
interleaved rounds, each timing repeated for at least ${MIN_MS} ms; medians with min–max. One thread
everywhere but the "2 threads" rows. Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'},
${os.cpus().length} cores (a shared machine: spreads are wide).
"Speed vs fastest peer" is the fastest peer's time over this implementation's (above 1:
faster than every peer); "time vs memory floor" is this time over one \`Float32Array.set\` of the logits.
xentropy "copies" takes plain typed arrays and returns a fresh gradient array; "zero-copy" works on
tensors from \`allocTensor\` with a resident \`out\`.

## Targets at [8192, 1000]

${targetLines.join('\n')}

## All shapes
${lines.join('\n')}
`;
writeFileSync(new URL('RESULTS.md', import.meta.url), report);
writeFileSync(new URL('results.csv', import.meta.url), `${csv.join('\n')}\n`);
console.log(report);
