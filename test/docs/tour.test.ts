// `npm run tour` prints the primer's lessons, the third included: softmax applied first, and the textbook
// log(softmax(x)) overflowing where logSoftmax stays exact.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('the tour teaches the third lesson with the numbers of the primer and the guard message', () => {
  const tour = execFileSync(process.execPath, [new URL('../../scripts/tour.mjs', import.meta.url).pathname], {
    encoding: 'utf8',
  });
  expect(tour).toMatch(/crossEntropy\(probabilities \[0\.7, 0\.2, 0\.1\]\) = 0\.7679/);
  expect(tour).toMatch(/crossEntropy\(logits log p\) {18}= 0\.3567/);
  expect(tour).toMatch(/xentropy: crossEntropy received rows that look like probabilities/);
  expect(tour).toMatch(/the textbook way in JS = \[NaN, -Infinity, -Infinity\]/);
  expect(tour).toMatch(/logSoftmax\(x\) {27}= \[0\.0, -1000\.0, -2000\.0\]/);
});
