import type { FloatArray, GradOptions, IndexTarget, LossWithGrad, NllLossOptions, Tensor } from '../types.js';
import { checkGradOutput } from './common/grad-output.js';
import { checkTarget, classLayout, writeClassIndices } from './common/targets.js';
import { checkFloatTensor, checkInteger, checkOptions, checkOut, checkReduction, checkVector } from './common/validate.js';
import { wasm } from './common/wasm.js';

type ScalarReduction = NllLossOptions & { reduction?: 'mean' | 'sum' };
type NoReduction = NllLossOptions & { reduction: 'none' };

const OPTIONS = ['weight', 'ignoreIndex', 'reduction'] as const;

/**
 * `F.nll_loss(input, target, weight, ignore_index, reduction)`: −w_t · input[t] per row, `input`
 * holding log-probabilities of shape (C), (N, C) or (N, C, d1, …, dk) and `target` class indices.
 * It reads one value per row, so it runs in JavaScript without copying the input.
 * @throws as crossEntropy with class-index targets.
 */
export function nllLoss<T extends FloatArray>(input: Tensor<T>, target: IndexTarget, options: NoReduction): Tensor<T>;
export function nllLoss<T extends FloatArray>(input: Tensor<T>, target: IndexTarget, options?: ScalarReduction): number;
export function nllLoss<T extends FloatArray>(input: Tensor<T>, target: IndexTarget, options?: NllLossOptions): number | Tensor<T>;
export function nllLoss<T extends FloatArray>(input: Tensor<T>, target: IndexTarget, options?: NllLossOptions): number | Tensor<T> {
  return run<T>('nllLoss', input, target, checkOptions('nllLoss', options, OPTIONS), false).loss;
}

/** `nllLoss` and its gradient w.r.t. the log-probabilities: −w_t · gradOutput (/ Σ w_t for 'mean') at each target, 0 elsewhere. */
export function nllLossWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: IndexTarget, options: NoReduction & GradOptions<T>,
): LossWithGrad<Tensor<T>, T>;
export function nllLossWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: IndexTarget, options?: ScalarReduction & GradOptions<T>,
): LossWithGrad<number, T>;
export function nllLossWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: IndexTarget, options?: NllLossOptions & GradOptions<T>,
): LossWithGrad<number | Tensor<T>, T>;
export function nllLossWithGrad<T extends FloatArray>(
  input: Tensor<T>, target: IndexTarget, options?: NllLossOptions & GradOptions<T>,
): LossWithGrad<number | Tensor<T>, T> {
  const checked = checkOptions('nllLossWithGrad', options, [...OPTIONS, 'gradOutput', 'out']);
  return run<T>('nllLossWithGrad', input, target, checked, true) as LossWithGrad<number | Tensor<T>, T>;
}

function run<T extends FloatArray>(
  caller: string, input: Tensor<T>, target: IndexTarget, options: NllLossOptions & GradOptions<T>, withGrad: boolean,
): { loss: number | Tensor<T>; grad?: Tensor<T> } {
  wasm(caller); // the same contract as every other function: init() first
  const { data, shape } = checkFloatTensor<T>(caller, 'input', input);
  const { classes, inner, rows, lossShape } = classLayout(caller, shape);
  const reduction = checkReduction(caller, options.reduction);
  const ignoreIndex = checkInteger(caller, 'ignoreIndex', options.ignoreIndex, -100);
  const weight = options.weight === undefined ? undefined : checkVector(caller, 'options.weight', options.weight, classes);
  const checked = checkTarget(caller, target, data, shape, lossShape);
  if (checked.kind !== 'index') {
    throw new TypeError(`${caller}: target must hold class indices (an integer array), not probabilities`);
  }
  const gradOutput = withGrad ? checkGradOutput(caller, options.gradOutput, lossShape, reduction !== 'none') : 1;
  const out = withGrad ? checkOut(caller, options.out, data) : undefined;
  const targets = new Int32Array(rows);
  const weightSum = writeClassIndices(caller, checked, classes, ignoreIndex, weight, targets);

  const Float = data.constructor as new (n: number) => T;
  const losses = new Float(rows);
  const at = (r: number, t: number) => Math.floor(r / inner) * classes * inner + t * inner + (r % inner);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t < 0) continue;
    losses[r] = -(weight ? weight[t] : 1) * data[at(r, t)];
    sum += losses[r];
  }
  const loss: number | Tensor<T> =
    reduction === 'none' ? { data: losses, shape: lossShape } : reduction === 'sum' ? sum : sum / weightSum;
  const result = typeof loss === 'number' && data instanceof Float32Array ? Math.fround(loss) : loss;
  if (!out) return { loss: result };
  // −w_t · g at each target, where g folds in the reduction; ignored rows and other classes get 0
  out.fill(0);
  const scale = typeof gradOutput === 'number' && reduction === 'mean' ? gradOutput / weightSum : gradOutput;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t < 0) continue;
    const g = typeof scale === 'number' ? scale : scale[r];
    out[at(r, t)] = -(weight ? weight[t] : 1) * g;
  }
  return { loss: result, grad: { data: out, shape } };
}
