// Elementwise losses of an input and a target of the same shape and dtype (the binary losses, klDiv, mseLoss,
// sigmoidFocalLoss, the robust regression losses): read once, planned, run on the row pipeline, reduced in runLoss.
import { Handoff } from '../core/direct.js';
import { inHalfAwareCall } from '../core/half.js';
import type { ArgName, KernelName } from '../core/kernels.js';
import type { Operand } from '../core/pipeline/index.js';
import { checkReduction, describe, floatTensor, readOptions, shapeString } from '../core/validate.js';
import type { FloatArray } from '../types.js';
import { broadcastWeight, type CheckedWeight } from './broadcast.js';
import { directPairLoss } from './direct-pair-loss.js';
import type { AnyReduction } from './finish.js';
import { inDtype, type LossResult, readLossGradient, runLoss } from './loss.js';

/** A broadcast weight as an operand and its per-element flag. */
export function weightOperand(label: string, weight: CheckedWeight | undefined, like: FloatArray): Operand | undefined {
  return weight && { label, data: inDtype(weight.values, like), per: weight.perElement ? 'element' : 'whole' };
}

/** What an elementwise loss adds to its input and target: kernel, options read, value checks. */
export interface PairLoss<K extends KernelName> {
  caller: string;
  kernel: K;
  input: unknown;
  target: unknown;
  withGrad: boolean;
  options: Readonly<Partial<Record<'reduction' | 'gradOutput' | 'out' | 'weight' | 'posWeight', unknown>>>;
  reductions?: readonly AnyReduction[];
  defaultReduction?: AnyReduction;
  scalars?: Partial<Record<ArgName<K>, number>>;
  /** Checks the input's values (after every argument has been read); throws for a bad one. */
  check?: (data: FloatArray, shape: number[]) => void;
}

/** An elementwise loss of an input and a target of the same shape and dtype, with broadcast weights. */
export function pairLoss<K extends KernelName, T extends FloatArray>(spec: PairLoss<K>): LossResult<T> {
  const { caller, options: o } = spec;
  const x = floatTensor(caller, 'input', spec.input);
  const y = floatTensor(caller, 'target', spec.target);
  if (y.data.constructor !== x.data.constructor) {
    throw new TypeError(
      `${caller}: target.data must be a ${x.data.constructor.name} like the input, received ${describe(y.data)}`,
    );
  }
  if (shapeString(y.shape) !== shapeString(x.shape)) {
    throw new RangeError(
      `${caller}: target must have the input's shape ${shapeString(x.shape)}, received ${shapeString(y.shape)}`,
    );
  }
  const reduction = checkReduction(
    caller,
    o.reduction,
    spec.reductions ?? ['none', 'mean', 'sum'],
    spec.defaultReduction ?? 'mean',
  );
  const weight = o.weight === undefined ? undefined : broadcastWeight(caller, 'weight', o.weight, x.shape);
  const posWeight = o.posWeight === undefined ? undefined : broadcastWeight(caller, 'posWeight', o.posWeight, x.shape);
  const cols = x.shape.length === 0 ? 1 : x.shape[x.shape.length - 1];
  const divisor = reduction === 'mean' ? x.size : reduction === 'batchmean' && x.shape.length > 0 ? x.shape[0] : 1;
  const gradient = spec.withGrad
    ? readLossGradient(caller, o.gradOutput, o.out, false, x.shape, reduction !== 'none', x.data)
    : undefined;
  spec.check?.(x.data, x.shape); // last, the values
  return runLoss({
    caller,
    kernel: spec.kernel,
    input: x,
    outer: cols === 0 ? 0 : x.size / cols,
    cols,
    inner: 1,
    lossShape: x.shape,
    reduction,
    lossPer: 'element',
    gradient,
    operands: {
      y: { label: 'target', data: y.data, per: 'element' },
      weight: weightOperand('options.weight', weight, x.data),
      posWeight: weightOperand('options.posWeight', posWeight, x.data),
    } as never,
    scalars: Object.assign(
      { weightPerElement: weight?.perElement ? 1 : 0, posWeightPerElement: posWeight?.perElement ? 1 : 0 },
      spec.scalars,
    ) as Partial<Record<ArgName<K>, number>>,
    divisor,
  });
}

/** An elementwise loss's description: its option names and how they choose the kernel and its scalars. */
export interface PairLossSpec<K extends KernelName> {
  name: string;
  /** Option names besides 'reduction' (and 'gradOutput' and 'out' for …WithGrad). */
  options: readonly string[];
  reductions?: readonly AnyReduction[];
  defaultReduction?: AnyReduction;
  kernel: (options: Readonly<Record<string, unknown>>, caller: string) => K;
  scalars?: (options: Readonly<Record<string, unknown>>, caller: string) => Partial<Record<ArgName<K>, number>>;
  check?: PairLoss<K>['check'];
}

const accepted = new WeakMap<PairLossSpec<KernelName>, readonly string[][]>();
/** The option names a call of `spec` accepts (made once per loss). */
function acceptedOptions<K extends KernelName>(spec: PairLossSpec<K>, withGrad: boolean): readonly string[] {
  let names = accepted.get(spec as never);
  if (names === undefined) {
    names = [
      [...spec.options, 'reduction'],
      [...spec.options, 'reduction', 'gradOutput', 'out'],
    ];
    accepted.set(spec as never, names);
  }
  return names[withGrad ? 1 : 0];
}

/**
 * A call of the loss `spec` describes, or of its …WithGrad. A function, not a factory of functions: a bundle drops
 * the losses it does not import.
 */
export function pairLossCall<K extends KernelName>(
  spec: PairLossSpec<K>,
  withGrad: boolean,
  [input, target, options]: [unknown, unknown, unknown],
) {
  const caller = withGrad ? `${spec.name}WithGrad` : spec.name;
  const o = readOptions(caller, options, acceptedOptions(spec, withGrad)) as Readonly<Record<string, unknown>>;
  const { reductions = ['none', 'mean', 'sum'], defaultReduction = 'mean', check } = spec;
  const kernel = spec.kernel(o, caller);
  const scalars = spec.scalars?.(o, caller);
  const read = { caller, kernel, withGrad, o, reductions, defaultReduction, scalars, check };
  const direct = directPairLoss(read, input, target);
  if (!(direct instanceof Handoff)) return direct;
  const [x, y] = direct.args;
  return inHalfAwareCall(() => pairLoss({ ...read, input: x, target: y, options: o }));
}
