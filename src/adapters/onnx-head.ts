// The head of an ONNX causal LM: the nodes that make `logits` from the last hidden state (MatMul or Gemm with an
// initializer weight, read directly or through a Transpose, maybe followed by the Add of a bias), and its weight and
// bias as float32. Field numbers are onnx.proto's.
import { type Field, fieldsOf, first, halfToFloat, int64s, strings, text } from './onnx-wire.js';

export const MODEL_GRAPH = 7;
export const GRAPH = { node: 1, initializer: 5, output: 12 } as const;
export const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, ints: 8 } as const;
export const TENSOR = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  name: 8,
  rawData: 9,
  dataLocation: 14,
} as const;
export const VALUE_INFO = { name: 1, type: 2 } as const;
export const TYPE_TENSOR = 1;
export const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
export const SHAPE_DIM = 1;
export const DIM_VALUE = 1;
export const FLOAT = 1;
export const FLOAT16 = 10;

export interface GraphNode {
  index: number;
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Field[][];
}

function nodeOf(bytes: Uint8Array, index: number): GraphNode {
  const f = fieldsOf(bytes);
  return {
    index,
    opType: text(first(f, NODE.opType)?.bytes),
    name: text(first(f, NODE.name)?.bytes),
    inputs: strings(f, NODE.input),
    outputs: strings(f, NODE.output),
    attributes: f.filter((g) => g.field === NODE.attribute).map((g) => fieldsOf(g.bytes as Uint8Array)),
  };
}

/** A node's attribute: its int, its float or its ints, by name. */
function attribute(node: GraphNode, name: string) {
  const found = node.attributes.find((a) => text(first(a, ATTRIBUTE.name)?.bytes) === name);
  if (!found) return undefined;
  const float = first(found, ATTRIBUTE.f)?.raw;
  return {
    i: first(found, ATTRIBUTE.i)?.varint,
    f: float ? new DataView(float.buffer, float.byteOffset + 1, 4).getFloat32(0, true) : undefined,
    ints: int64s(found, ATTRIBUTE.ints),
  };
}

export const CALLER = 'cutAtHead';

/** An initializer's values as float32, and its dims. @throws TypeError for another type or external data. */
function initializerValues(fields: Field[], name: string): { dims: number[]; data: Float32Array } {
  const dims = int64s(fields, TENSOR.dims);
  const type = first(fields, TENSOR.dataType)?.varint ?? 0;
  if (first(fields, TENSOR.dataLocation)?.varint === 1) {
    throw new TypeError(`${CALLER}: the head's initializer ${name} is stored outside the model (external data)`);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = first(fields, TENSOR.rawData)?.bytes;
  if (type === FLOAT) {
    if (raw) return { dims, data: new Float32Array(new Uint8Array(raw).buffer, 0, count) };
    const packed = first(fields, TENSOR.floatData)?.bytes ?? new Uint8Array(0);
    return { dims, data: new Float32Array(new Uint8Array(packed).buffer, 0, count) };
  }
  if (type === FLOAT16) {
    const halves = raw
      ? new Uint16Array(new Uint8Array(raw).buffer, 0, count)
      : Uint16Array.from(int64s(fields, TENSOR.int32Data));
    return { dims, data: Float32Array.from(halves, halfToFloat) };
  }
  throw new TypeError(
    `${CALLER}: the head's initializer ${name} has ONNX data type ${type}; float and float16 are read`,
  );
}

/** [d, V] (a MatMul's B) to [V, d]. */
function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

export interface Graph {
  fields: Field[];
  nodes: GraphNode[];
  initializers: Map<string, Field[]>;
  producers: Map<string, GraphNode>;
  consumers: (name: string) => GraphNode[];
}

export function graphOf(bytes: Uint8Array): Graph {
  const fields = fieldsOf(bytes);
  const nodes = fields.filter((f) => f.field === GRAPH.node).map((f, i) => nodeOf(f.bytes as Uint8Array, i));
  const initializers = new Map<string, Field[]>();
  for (const f of fields.filter((g) => g.field === GRAPH.initializer)) {
    const t = fieldsOf(f.bytes as Uint8Array);
    initializers.set(text(first(t, TENSOR.name)?.bytes), t);
  }
  const producers = new Map<string, GraphNode>();
  for (const n of nodes) for (const o of n.outputs) producers.set(o, n);
  const consumers = (name: string) => nodes.filter((n) => n.inputs.includes(name));
  return { fields, nodes, initializers, producers, consumers };
}

export interface Head {
  /** The nodes that make the logits from the hidden state. */
  nodes: GraphNode[];
  hidden: string;
  weight: { name: string; data: Float32Array; dims: number[] };
  bias?: { name: string; data: Float32Array };
}

const describeNode = (n: GraphNode) => `a ${n.opType} node${n.name ? ` (${n.name})` : ''}`;

/** The weight [V, d] a MatMul or Gemm reads as B, or the Transpose of an initializer it reads. */
function weightOf(g: Graph, input: string, transposeB: boolean, nodes: GraphNode[]) {
  const direct = g.initializers.get(input);
  if (direct) {
    const { dims, data } = initializerValues(direct, input);
    if (dims.length !== 2) throw new RangeError(`${CALLER}: the head's weight ${input} has dims [${dims}], not 2`);
    const [V, d] = transposeB ? dims : [dims[1], dims[0]];
    return { name: input, data: transposeB ? data : transposed(data, dims[0], dims[1]), dims: [V, d] };
  }
  const t = g.producers.get(input);
  const source = t?.inputs[0] ?? '';
  const perm = t && attribute(t, 'perm')?.ints;
  if (t?.opType === 'Transpose' && g.initializers.has(source) && (!perm?.length || `${perm}` === '1,0')) {
    nodes.push(t);
    return weightOf(g, source, !transposeB, nodes);
  }
  const found = t ? describeNode(t) : 'a graph input';
  throw new TypeError(`${CALLER}: the head's weight ${input} comes from ${found}, not an initializer`);
}

/** The head: the nodes from the hidden state to `logits`. @throws TypeError naming what was found instead. */
export function findHead(g: Graph, logits: string): Head {
  const last = g.producers.get(logits);
  if (!last) throw new TypeError(`${CALLER}: no node makes the output ${logits}`);
  const nodes = [last];
  let product = last;
  let bias: Head['bias'];
  if (last.opType === 'Add') {
    const biasName = last.inputs.find((i) => g.initializers.has(i));
    const other = g.producers.get(last.inputs.find((i) => i !== biasName) ?? '');
    if (!biasName || !other || other.opType !== 'MatMul') {
      throw new TypeError(
        `${CALLER}: ${logits} comes from an Add of ${last.inputs.join(' and ')}, not a MatMul and a bias`,
      );
    }
    bias = { name: biasName, data: initializerValues(g.initializers.get(biasName) as Field[], biasName).data };
    product = other;
    nodes.push(other);
  }
  if (product.opType === 'Gemm') {
    if (
      attribute(product, 'transA')?.i ||
      (attribute(product, 'alpha')?.f ?? 1) !== 1 ||
      (attribute(product, 'beta')?.f ?? 1) !== 1
    ) {
      throw new TypeError(
        `${CALLER}: ${logits} comes from a Gemm with transA, alpha or beta; read as a head it is not`,
      );
    }
    const [hidden, b, c] = product.inputs;
    const weight = weightOf(g, b, Boolean(attribute(product, 'transB')?.i), nodes);
    if (c && g.initializers.has(c))
      bias = { name: c, data: initializerValues(g.initializers.get(c) as Field[], c).data };
    else if (c) throw new TypeError(`${CALLER}: the Gemm's bias ${c} is not an initializer`);
    return { nodes, hidden, weight, bias };
  }
  if (product.opType !== 'MatMul') {
    throw new TypeError(
      `${CALLER}: ${logits} comes from ${describeNode(product)}; a head is a MatMul or Gemm with an initializer weight`,
    );
  }
  const [hidden, b] = product.inputs;
  return { nodes, hidden, weight: weightOf(g, b, false, nodes), bias };
}
