// The ONNX models the benchmarks load are committed (bench/models/); they must be what the script that made
// them (bench/peers/onnx-models.mjs) writes today.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { MODELS } from '../../bench/peers/onnx-models.mjs';

it.each(Object.entries(MODELS))('bench/models/%s is what bench/peers/onnx-models.mjs writes', (name, make) => {
  const committed = readFileSync(new URL(`../../bench/models/${name}`, import.meta.url));
  expect(Buffer.from(make())).toEqual(committed);
});
