// The demo's training race in Node, with the library under test: cross-entropy learns the digits,
// squared error on the softmax outputs lags behind at every epoch after the first.
import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { accuracy, createModel, loadDigits, trainEpoch } from '../../demo/training.js';
import * as lib from '../../src/index.js';

beforeAll(() => lib.init());

it('cross-entropy reaches 90 % test accuracy within 5 epochs and stays ahead of squared error', () => {
  const { train, test } = loadDigits(
    JSON.parse(readFileSync(new URL('../../demo/data/digits.json', import.meta.url), 'utf8')),
    1,
  );
  expect(train.count + test.count).toBe(1797);
  const models = { ce: createModel(), mse: createModel() };
  const history = { ce: [] as number[], mse: [] as number[] };
  for (let epoch = 1; epoch <= 10; epoch++) {
    trainEpoch(lib, models.ce, 'cross-entropy', train);
    trainEpoch(lib, models.mse, 'mse', train);
    history.ce.push(accuracy(models.ce, test));
    history.mse.push(accuracy(models.mse, test));
  }
  expect(history.ce[4]).toBeGreaterThanOrEqual(0.9);
  history.ce.slice(1).forEach((ce, i) => {
    expect(ce).toBeGreaterThan(history.mse[i + 1]);
  });
});
