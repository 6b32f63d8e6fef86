// `npm run score -- "text"` prints the per-token table of the demo's section 6 in the terminal: a row per token with
// its surprise, and the cross-entropy and perplexity of the golden log-probabilities (onnxruntime-node's).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const golden = JSON.parse(readFileSync(new URL('../fixtures/kjv-lm-golden.json', import.meta.url), 'utf8'));

it.each([0, 1])('scores golden sentence %i token by token', (which) => {
  const { text, ids, logProbs } = golden.cases[which] as { text: string; ids: number[]; logProbs: number[] };
  const script = new URL('../../scripts/score.mjs', import.meta.url).pathname;
  const out = execFileSync(process.execPath, [script, text], { encoding: 'utf8' });
  const rows = out.split('\n').filter((line) => /^".{13} +\d+\.\d\d +\S+ +\d+\.\d\d {2}"/.test(line));
  expect(rows).toHaveLength(ids.length - 1);
  rows.forEach((row, t) => {
    expect(Number(row.slice(15).trim().split(/ +/)[0])).toBeCloseTo(-logProbs[t] / Math.LN2, 2);
  });
  const bits = logProbs.reduce((s, l) => s - l / Math.LN2, 0) / logProbs.length;
  expect(out).toContain(`${ids.length - 1} tokens: cross-entropy ${bits.toFixed(3)} bits per token`);
  expect(out).toContain(`perplexity 2^${bits.toFixed(3)} = ${(2 ** bits).toFixed(1)}`);
});
