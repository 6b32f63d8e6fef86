// What a browser page computes (test/browser/golden-runner.js: the golden slice and the catalogue's calls) against
// what Node computes with the same built package: bit for bit, or within the ulps a fused multiply-add makes.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import * as lib from '../../dist/index.js';
import { makeRandom } from '../../reference/random.js';
import { toWire } from '../browser/catalogue-runner.js';
import { GOLDEN_FILES, runCatalogue, runGolden } from '../browser/golden-runner.js';
import { assertBuildsClose } from './assert-close.js';
import { CATALOGUE_SHAPES, everyCall, randomValues } from './catalogue.js';

const golden = Object.fromEntries(
  GOLDEN_FILES.map((file) => [
    file,
    JSON.parse(readFileSync(new URL(`../golden/${file}.json`, import.meta.url), 'utf8')),
  ]),
);
// every public function of the catalogue, with its variants, on random values
const catalogueCalls = toWire(everyCall(CATALOGUE_SHAPES, randomValues(makeRandom(2026).next))) as unknown[];

/** Writes the catalogue's calls where pages fetch them (test/browser/.catalogue-calls.json), at once: suites that
 * run side by side write the same file. */
export function writeCatalogueCalls(): void {
  const file = new URL('../browser/.catalogue-calls.json', import.meta.url);
  const draft = new URL(`${file.href}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(draft, JSON.stringify(catalogueCalls));
  renameSync(draft, file);
}

/** Node's results for what a page runs, on Node's build of the same options. */
export async function nodeResults(options: { simd: boolean }): Promise<Record<string, string[]>> {
  await lib.init({ ...options, relaxedSimd: false });
  return { ...runGolden(lib, golden), ...runCatalogue(lib, catalogueCalls) };
}

const fromBase64 = (text: string) => new Float64Array(Uint8Array.from(Buffer.from(text, 'base64')).buffer);

/** Equal bit for bit, except that any NaN matches any NaN (engines may differ in NaN payloads). */
export function sameResults(pageResults: Record<string, string[]>, expected: Record<string, string[]>): void {
  expect(Object.keys(pageResults).sort()).toEqual(Object.keys(expected).sort());
  for (const [name, outputs] of Object.entries(expected)) {
    outputs.forEach((encoded, k) => {
      const [a, b] = [fromBase64(pageResults[name][k]), fromBase64(encoded)];
      const bad = Array.from(a).findIndex((v, i) => !(Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]))));
      if (bad >= 0 || a.length !== b.length)
        throw new Error(`${name}, output ${k}: browser ${a[bad]} vs Node ${b[bad]} at ${bad}`);
    });
  }
}

/** Within 8 ulps of Node's plain SIMD results (assertBuildsClose): the relaxed-SIMD build's fused roundings. */
export function closeResults(pageResults: Record<string, string[]>, expected: Record<string, string[]>): void {
  for (const [name, outputs] of Object.entries(expected)) {
    outputs.forEach((encoded, k) => {
      const dtype = name.includes('[float32]') ? 'float32' : 'float64';
      assertBuildsClose(name, fromBase64(pageResults[name][k]), fromBase64(encoded), dtype, `${name}, output ${k}`);
    });
  }
}
