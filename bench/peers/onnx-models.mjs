// Writes the one-node ONNX models the benchmark runs in onnxruntime: SoftmaxCrossEntropyLoss
// (opset 13, reduction 'mean', class-index labels) and Softmax (axis -1), with symbolic N and fixed C, and
// MatMul (the fused linear + cross-entropy's peer, bench/suites/linear.mjs).
// A small protobuf writer stands in for the onnx package, so nothing but Node is needed. The models are
// committed in bench/models/ (`node bench/peers/onnx-models.mjs` writes them again; a test holds the two together).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

// protobuf wire format: varints, length-delimited fields
const varint = (n) => {
  const out = [];
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // negative int64: ten bytes of two's complement
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...Buffer.from(s, 'utf8')]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;
const dim = (d) => msg(1, typeof d === 'number' ? [int(1, d)] : [str(2, d)]);
const valueInfo = (field, name, elemType, dims) =>
  msg(field, [str(1, name), msg(2, [msg(1, [int(1, elemType), msg(2, dims.map(dim))])])]);
const attrString = (name, value) => msg(5, [str(1, name), bytes(4, [...Buffer.from(value)]), int(20, 3)]);
const attrInt = (name, value) => msg(5, [str(1, name), int(3, value), int(20, 2)]);

function model(node, inputs, outputs) {
  const graph = msg(7, [node, str(2, 'xentropy-bench'), ...inputs, ...outputs]);
  return Uint8Array.from([...int(1, 8), ...str(2, 'xentropy bench'), ...graph, ...msg(8, [str(1, ''), int(2, 13)])]);
}

export function softmaxCrossEntropyModel(classes) {
  const node = msg(1, [
    str(1, 'scores'),
    str(1, 'labels'),
    str(2, 'loss'),
    str(3, 'sce'),
    str(4, 'SoftmaxCrossEntropyLoss'),
    attrString('reduction', 'mean'),
  ]);
  return model(
    node,
    [valueInfo(11, 'scores', FLOAT, ['N', classes]), valueInfo(11, 'labels', INT64, ['N'])],
    [valueInfo(12, 'loss', FLOAT, [])],
  );
}

export function softmaxModel(classes) {
  const node = msg(1, [str(1, 'x'), str(2, 'y'), str(3, 'softmax'), str(4, 'Softmax'), attrInt('axis', -1)]);
  return model(node, [valueInfo(11, 'x', FLOAT, ['N', classes])], [valueInfo(12, 'y', FLOAT, ['N', classes])]);
}

/** MatMul of a [M, K] and b [K, N], symbolic M: the product onnxruntime-web's MLAS kernels make. */
export function matMulModel(k, n) {
  const node = msg(1, [str(1, 'a'), str(1, 'b'), str(2, 'c'), str(3, 'matmul'), str(4, 'MatMul')]);
  return model(
    node,
    [valueInfo(11, 'a', FLOAT, ['M', k]), valueInfo(11, 'b', FLOAT, [k, n])],
    [valueInfo(12, 'c', FLOAT, ['M', n])],
  );
}

/** The models the benchmarks load, by file name: committed in bench/models/, written again by running this file. */
export const MODELS = {
  ...Object.fromEntries(
    [10, 1000, 32000, 128256].flatMap((classes) => [
      [`sce-${classes}.onnx`, () => softmaxCrossEntropyModel(classes)],
      [`softmax-${classes}.onnx`, () => softmaxModel(classes)],
    ]),
  ),
  'matmul-256x32000.onnx': () => matMulModel(256, 32000),
  'matmul-512x50257.onnx': () => matMulModel(512, 50257),
};

/** A committed model's bytes; a shape without one is written on the fly (and said so). */
export function loadModel(name, make) {
  try {
    return readFileSync(new URL(`../models/${name}`, import.meta.url));
  } catch {
    console.log(`bench/models/${name} is not committed: written on the fly`);
    return make();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../models/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  for (const [name, make] of Object.entries(MODELS)) writeFileSync(new URL(name, dir), make());
  console.log('wrote bench/models/*.onnx');
}
