// The upstream gradient of the …WithGrad functions.
import { describe, isFloatArray, product, rejectDetached, shapeString } from './validate.js';

/**
 * A number for a scalar reduction (default 1); for 'none' a Tensor (or flat array) of the loss's shape,
 * one value per loss element, or a number for all of them.
 */
export function checkGradOutput(caller: string, gradOutput: unknown, lossShape: number[], scalar: boolean): number | ArrayLike<number> {
  if (gradOutput === undefined) return 1;
  if (typeof gradOutput === 'number') return gradOutput;
  if (scalar) {
    throw new TypeError(`${caller}: options.gradOutput must be a number for a scalar reduction, received ${describe(gradOutput)}`);
  }
  const isTensor = typeof gradOutput === 'object' && gradOutput !== null && 'data' in gradOutput && 'shape' in gradOutput;
  const data = isTensor ? (gradOutput as { data: unknown }).data : gradOutput;
  if (!isFloatArray(data) && !(Array.isArray(data) && data.every((v) => typeof v === 'number'))) {
    throw new TypeError(
      `${caller}: options.gradOutput must be a number or a Tensor of floats shaped like the loss ${shapeString(lossShape)}, received ${describe(gradOutput)}`,
    );
  }
  rejectDetached(caller, 'options.gradOutput', data);
  const shape = isTensor ? (gradOutput as { shape: unknown }).shape : [(data as ArrayLike<number>).length];
  const ok = Array.isArray(shape) && shapeString(shape) === shapeString(lossShape);
  const flatOk = !isTensor && (data as ArrayLike<number>).length === product(lossShape);
  if (!ok && !flatOk) {
    throw new RangeError(
      `${caller}: options.gradOutput must have the loss's shape ${shapeString(lossShape)}, received ${Array.isArray(shape) ? shapeString(shape) : describe(shape)}`,
    );
  }
  return data as ArrayLike<number>;
}

