export const FEATURES: number;
export const CLASSES: number;
export interface DigitSet {
  count: number;
  x: Float32Array;
  y: Int32Array;
}
export interface Model {
  weights: Float32Array;
  bias: Float32Array;
}
export function makeRandom(seed: number): () => number;
export function loadDigits(json: unknown, seed?: number): { train: DigitSet; test: DigitSet };
export function createModel(): Model;
export function logits(model: Model, x: Float32Array, count: number): Float32Array;
export function step(
  lib: unknown,
  model: Model,
  kind: 'cross-entropy' | 'mse',
  x: Float32Array,
  y: Int32Array,
  count: number,
  learningRate: number,
): number;
export function trainEpoch(
  lib: unknown,
  model: Model,
  kind: 'cross-entropy' | 'mse',
  train: DigitSet,
  options?: { batchSize?: number; learningRate?: number },
): number;
export function accuracy(model: Model, set: DigitSet): number;
