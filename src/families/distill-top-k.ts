// A teacher given as its top k per row ({ indices, logProbs }, as topK returns it or an inference server sends it):
// read once and checked (ids in [0, V) and distinct, log-probabilities summing to at most 1 + the tolerance), then
// each counted row's ids sorted for the kernel (which sums the student's other tokens between them), with where
// each sorted place came from, to put per-outcome values back in the caller's order.
import { field, floatTensor, product, shapeString } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { inDtype } from './loss.js';
import { readIndices } from './targets.js';

/** How far past 1 a row of teacher probabilities may sum (rounding of float32 log-probabilities is far below). */
export const TEACHER_SUM_TOLERANCE = 1e-4;

export interface TopKTeacher {
  k: number;
  /** Per row, its ids in increasing order (Int32), and their log-probabilities in that order (the student's dtype). */
  ids: Int32Array;
  logProbs: FloatArray;
  /** order[r · k + j]: the caller's place of the row's j-th sorted id. */
  order: Int32Array;
}

/** Whether the teacher argument is a top k: an object with `indices` (a Tensor is `{ data, shape }`). */
export const isTopK = (teacher: unknown): teacher is object =>
  typeof teacher === 'object' && teacher !== null && field(teacher, 'indices') !== undefined;

/** The teacher's top k, read and checked for a student of `shape` [..., V]; rows whose label is −1 are not checked. */
export function readTopKTeacher(
  caller: string,
  teacher: object,
  shape: readonly number[],
  like: FloatArray,
  kept?: Int32Array,
): TopKTeacher {
  const indices = readIndices(caller, field(teacher, 'indices'), 'teacher.indices', 'token ids');
  const logProbs = floatTensor(caller, 'teacher.logProbs', field(teacher, 'logProbs'));
  const values = { data: inDtype(logProbs.data, like), shape: logProbs.shape };
  const lead = shape.slice(0, -1);
  const vocab = shape[shape.length - 1];
  const k = indices.shape.length === lead.length + 1 ? indices.shape[indices.shape.length - 1] : -1;
  if (k < 0 || shapeString(indices.shape.slice(0, -1)) !== shapeString(lead)) {
    throw new RangeError(
      `${caller}: teacher.indices must be shaped [${[...lead, 'k'].join(', ')}] for a student of ` +
        `${shapeString(shape)}, received ${shapeString(indices.shape)}`,
    );
  }
  if (shapeString(values.shape) !== shapeString(indices.shape)) {
    throw new RangeError(
      `${caller}: teacher.logProbs must have teacher.indices's shape ${shapeString(indices.shape)}, ` +
        `received ${shapeString(values.shape)}`,
    );
  }
  if (k > vocab || (k === 0 && product(lead) > 0)) {
    throw new RangeError(`${caller}: teacher.indices must hold 1 to V (${vocab}) ids per row, received k = ${k}`);
  }
  return sortRows(caller, indices.data, values.data, product(lead), k, vocab, kept);
}

/** Each counted row's ids sorted (with their log-probabilities), checked as it goes. */
function sortRows(
  caller: string,
  indices: ArrayLike<number>,
  logProbs: FloatArray,
  rows: number,
  k: number,
  vocab: number,
  kept?: Int32Array,
): TopKTeacher {
  const ids = new Int32Array(rows * k);
  const sorted = new (logProbs.constructor as new (n: number) => FloatArray)(rows * k);
  const order = new Int32Array(rows * k);
  const place = Array.from({ length: k }, (_, j) => j);
  for (let r = 0; r < rows; r++) {
    const base = r * k;
    if (kept && kept[r] < 0) continue; // never read: the kernel leaves the row out
    for (let j = 0; j < k; j++) {
      const id = indices[base + j];
      if (!Number.isInteger(id) || id < 0 || id >= vocab) {
        throw new RangeError(`${caller}: teacher.indices row ${r} holds ${id}: ids must be integers in [0, ${vocab})`);
      }
      place[j] = j;
    }
    place.sort((a, b) => indices[base + a] - indices[base + b]);
    let largest = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < k; j++) largest = Math.max(largest, logProbs[base + j]);
    let mass = 0; // Σ p_i / e^largest
    for (let j = 0; j < k; j++) {
      const from = base + place[j];
      ids[base + j] = indices[from];
      sorted[base + j] = logProbs[from];
      order[base + j] = place[j];
      if (j > 0 && ids[base + j] === ids[base + j - 1]) {
        throw new RangeError(`${caller}: teacher.indices row ${r} holds the id ${ids[base + j]} twice`);
      }
      mass += Math.exp(logProbs[from] - largest);
    }
    const logMass = largest + Math.log(mass);
    if (logMass > Math.log1p(TEACHER_SUM_TOLERANCE)) {
      throw new RangeError(
        `${caller}: teacher.logProbs row ${r} sums to ${Math.exp(logMass)} as probabilities, past 1 (a ` +
          'log-probability is never above 0): pass log-probabilities, as topK or an inference server returns them',
      );
    }
  }
  return { k, ids, logProbs: sorted, order };
}
