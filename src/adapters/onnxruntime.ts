// xentropy/onnxruntime: an ONNX causal language model cut at its head. cutAtHead finds the node that makes `logits`
// from the last hidden state (MatMul or Gemm with an initializer weight, maybe through a Transpose, maybe followed by
// the Add of a bias), and returns the model without it, outputting the hidden state, with the head's weight [V, d]
// and bias; scoreSession runs the cut model in the user's onnxruntime InferenceSession (node or web) and scores its
// hidden states with linearScoreAsync, never making the logits.
// The model is read and written with protobufjs's reader and writer, field by field: the fields the cut does not
// touch (and any the ONNX schema adds later) are copied as they are.
import { linearScoreAsync } from '../index.js';
import type { LinearScoreAsyncOptions, LinearScores, Tensor } from '../types.js';
import {
  CALLER,
  DIM_VALUE,
  FLOAT,
  findHead,
  GRAPH,
  type Graph,
  type GraphNode,
  graphOf,
  type Head,
  MODEL_GRAPH,
  SHAPE_DIM,
  TENSOR,
  TENSOR_TYPE,
  TYPE_TENSOR,
  VALUE_INFO,
} from './onnx-head.js';
import { concat, EMPTY, type Field, fieldsOf, first, halfToFloat, text, Writer } from './onnx-wire.js';

/** The model cut at its head. */
export interface ModelHead {
  /** The ONNX model whose graph ends in the hidden state instead of the logits. */
  model: Uint8Array;
  /** The cut model's output: the hidden state [..., d] the head read. */
  hiddenName: string;
  /** The output the head made (`logits`). */
  logitsName: string;
  /** The head's weight [V, d], as linearScore takes it. */
  linearWeight: Tensor<Float32Array>;
  /** The head's bias [V], when it has one. */
  linearBias?: Float32Array;
  /** Whether the weight is another node's initializer too (tied to the token embedding). */
  tied: boolean;
}

/** cutAtHead's options. */
export interface CutOptions {
  /** The output the head makes. @defaultValue 'logits', or the graph's only output */
  logits?: string;
}

/** An onnxruntime tensor as InferenceSession.run returns it (node or web). */
export interface SessionTensor {
  data: unknown;
  dims: readonly number[];
  type?: string;
}

/** What scoreSession needs of an onnxruntime InferenceSession (node or web): run(feeds, fetches). */
export interface SessionLike {
  run(feeds: never, fetches: never): Promise<Record<string, SessionTensor>>;
}

// --- the cut ------------------------------------------------------------------------------------------------------

const DIM_PARAM = 2;

/** The hidden state's output (a graph's ValueInfo field): the logits' type and shape, its last dim d. */
function hiddenOutput(logitsInfo: Field[], hidden: string, d: number): Uint8Array {
  const type = fieldsOf(first(logitsInfo, VALUE_INFO.type)?.bytes ?? EMPTY);
  const tensor = fieldsOf(first(type, TYPE_TENSOR)?.bytes ?? EMPTY);
  const elemType = first(tensor, TENSOR_TYPE.elemType)?.varint ?? FLOAT;
  const dims = fieldsOf(first(tensor, TENSOR_TYPE.shape)?.bytes ?? EMPTY)
    .filter((f) => f.field === SHAPE_DIM)
    .map((f) => fieldsOf(f.bytes as Uint8Array));
  const w = Writer.create();
  w.uint32((GRAPH.output << 3) | 2).fork(); // ValueInfoProto
  w.uint32((VALUE_INFO.name << 3) | 2).string(hidden);
  w.uint32((VALUE_INFO.type << 3) | 2).fork(); // TypeProto
  w.uint32((TYPE_TENSOR << 3) | 2).fork(); // TypeProto.Tensor
  w.uint32(TENSOR_TYPE.elemType << 3).int32(elemType);
  if (dims.length > 0) {
    w.uint32((TENSOR_TYPE.shape << 3) | 2).fork(); // TensorShapeProto: the logits' dims, the last one d
    for (const dim of [...dims.slice(0, -1), undefined]) {
      w.uint32((SHAPE_DIM << 3) | 2).fork();
      const param = dim && first(dim, DIM_PARAM)?.bytes;
      if (param) w.uint32((DIM_PARAM << 3) | 2).bytes(param);
      else w.uint32(DIM_VALUE << 3).int64(dim ? (first(dim, DIM_VALUE)?.varint ?? 0) : d);
      w.ldelim();
    }
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim();
  return w.finish();
}

/** The graph's outputs by name, with their ValueInfo's fields. */
function outputsOf(g: Graph) {
  return g.fields
    .filter((f) => f.field === GRAPH.output)
    .map((f) => {
      const info = fieldsOf(f.bytes as Uint8Array);
      return { field: f, info, name: text(first(info, VALUE_INFO.name)?.bytes) };
    });
}

/** The graph without the head: its nodes and initializers that nothing else reads, and the hidden state as output. */
function cutGraph(g: Graph, head: Head, logits: string, d: number) {
  const inHead = new Set(head.nodes.map((n) => n.index));
  // a head node stays when something outside the head reads what it makes (a Transpose shared with another node)
  const readOutside = (n: GraphNode) =>
    n.outputs.some((o) => o !== logits && g.consumers(o).some((c) => !inHead.has(c.index)));
  const removed = new Set(head.nodes.filter((n) => !readOutside(n)).map((n) => n.index));
  const kept = g.nodes.filter((n) => !removed.has(n.index));
  const read = new Set(kept.flatMap((n) => n.inputs));
  const dropped = new Set([head.weight.name, head.bias?.name].filter((n) => n !== undefined && !read.has(n)));
  const outputs = outputsOf(g);
  const logitsInfo = outputs.find((o) => o.name === logits)?.info ?? [];
  const parts: Uint8Array[] = [];
  let node = 0;
  for (const f of g.fields) {
    if (f.field === GRAPH.node && removed.has(node++)) continue;
    if (f.field === GRAPH.initializer && dropped.has(text(first(fieldsOf(f.bytes as Uint8Array), TENSOR.name)?.bytes)))
      continue;
    if (f.field === GRAPH.output && outputs.find((o) => o.field === f)?.name === logits) {
      if (!outputs.some((o) => o.name === head.hidden)) parts.push(hiddenOutput(logitsInfo, head.hidden, d));
      continue;
    }
    parts.push(f.raw);
  }
  return { graph: concat(parts), tied: read.has(head.weight.name) };
}

/** The model's fields. @throws TypeError when the bytes are not a protobuf message with a graph. */
function modelFields(model: unknown): { fields: Field[]; graph: Field } {
  const bytes = model instanceof Uint8Array ? model : model instanceof ArrayBuffer ? new Uint8Array(model) : undefined;
  if (!bytes) throw new TypeError(`${CALLER}: model must be the ONNX file's bytes (a Uint8Array or ArrayBuffer)`);
  let fields: Field[];
  try {
    fields = fieldsOf(bytes);
  } catch (error) {
    throw new TypeError(`${CALLER}: model is not an ONNX model (${(error as Error).message})`);
  }
  const graph = first(fields, MODEL_GRAPH);
  if (!graph?.bytes) throw new TypeError(`${CALLER}: model is not an ONNX model: it holds no graph`);
  return { fields, graph };
}

/**
 * Cuts an ONNX causal language model at its head: the node that makes `logits` from the last hidden state (MatMul
 * or Gemm with an initializer weight, read directly or through a Transpose, maybe followed by the Add of a bias).
 * @param model - the ONNX file's bytes, as optimum and transformers.js export causal LMs.
 * @param options - {@link CutOptions}: `logits`, the output the head makes.
 * @returns {@link ModelHead}: the cut model, its hidden-state output, and the head's weight [V, d] and bias.
 * @throws TypeError naming what was found when the graph does not end in such a head, or the bytes are not a model.
 */
export function cutAtHead(model: Uint8Array | ArrayBuffer, options: CutOptions = {}): ModelHead {
  const { fields, graph } = modelFields(model);
  const g = graphOf(graph.bytes as Uint8Array);
  const names = outputsOf(g).map((o) => o.name);
  const logits = options.logits ?? (names.includes('logits') ? 'logits' : names.length === 1 ? names[0] : undefined);
  if (logits === undefined || !names.includes(logits)) {
    throw new TypeError(
      `${CALLER}: the graph has no output ${logits ?? 'logits'}; its outputs are ${names.join(', ')}`,
    );
  }
  const head = findHead(g, logits);
  const [V, d] = head.weight.dims;
  if (head.bias && head.bias.data.length !== V) {
    throw new RangeError(
      `${CALLER}: the head's bias ${head.bias.name} has ${head.bias.data.length} values, not V = ${V}`,
    );
  }
  const cut = cutGraph(g, head, logits, d);
  const graphField = Writer.create()
    .uint32((MODEL_GRAPH << 3) | 2)
    .bytes(cut.graph)
    .finish();
  return {
    model: concat(fields.map((f) => (f === graph ? graphField : f.raw))),
    hiddenName: head.hidden,
    logitsName: logits,
    linearWeight: { data: head.weight.data, shape: [V, d] },
    ...(head.bias ? { linearBias: head.bias.data } : {}),
    tied: cut.tied,
  };
}

/** A session output's values as float32 (float16 ones converted). */
function float32Of(tensor: SessionTensor, name: string): Float32Array {
  const { data } = tensor;
  if (data instanceof Float32Array) return data;
  if (data instanceof Uint16Array && tensor.type === 'float16') return Float32Array.from(data, halfToFloat);
  const Half = (globalThis as { Float16Array?: new (...a: never[]) => ArrayLike<number> }).Float16Array;
  if (Half && data instanceof Half) return Float32Array.from(data as ArrayLike<number>);
  throw new TypeError(`scoreSession: the session's ${name} is not float32 or float16`);
}

/**
 * Runs the cut model in an onnxruntime InferenceSession (node or web) and scores its hidden states with
 * linearScoreAsync (off the event loop): the head's weight and bias, and `options` (target, k, outputs, shift,
 * temperature, …, and `signal` and `onProgress` for the scoring).
 * @param session - an InferenceSession of the cut model (`cutAtHead(…).model`).
 * @param feeds - the model's inputs (input_ids, attention_mask, …), as session.run takes them.
 * @param head - cutAtHead's result.
 * @param options - {@link LinearScoreAsyncOptions}.
 * @returns linearScore's {@link LinearScores}.
 * @throws (rejects) as `linearScoreAsync`, and with a TypeError when the session does not return the hidden state as
 * float32 or float16.
 */
export async function scoreSession(
  session: SessionLike,
  feeds: Record<string, unknown>,
  head: ModelHead,
  options: LinearScoreAsyncOptions = {},
): Promise<LinearScores<Float32Array>> {
  const outputs = await session.run(feeds as never, [head.hiddenName] as never);
  const hidden = outputs[head.hiddenName];
  if (!hidden) throw new TypeError(`scoreSession: the session returned no ${head.hiddenName}; pass the cut model's`);
  const data = float32Of(hidden, head.hiddenName);
  const linearBias = head.linearBias;
  return linearScoreAsync({ data, dims: hidden.dims }, head.linearWeight, {
    ...(linearBias ? { linearBias } : {}),
    ...options,
  });
}
