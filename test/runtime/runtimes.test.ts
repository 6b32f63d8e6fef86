// The golden slice, and every public function of the test catalogue, on every runtime users run
// (test/runtimes/golden-slice.mjs): Node 20 (this one), Node 22, 24 and 26, Bun and Deno, from runtimes/ (installed by
// the root's prepare, so `npm ci` brings them). The plain SIMD and scalar builds must give the same bits
// everywhere; the relaxed-SIMD build (fused multiply-add: Node ≥ 22, Bun, Deno) is held to Node 20's plain SIMD
// results within the ulps its fused roundings make.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { toWire } from '../browser/catalogue-runner.js';
import { assertBuildsClose } from '../helpers/assert-close.js';
import { CATALOGUE_SHAPES, everyCall, randomValues } from '../helpers/catalogue.js';
import { roundToHalf } from '../helpers/half.js';
import { inProject } from '../helpers/project.js';

// every public function of the catalogue, with its variants, on random values: a file each runtime reads
const folder = mkdtempSync(join(tmpdir(), 'xentropy-runtimes-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const calls = join(folder, 'catalogue-calls.json');
const catalogueCalls = toWire(everyCall(CATALOGUE_SHAPES, randomValues(makeRandom(2026).next)));
writeFileSync(calls, JSON.stringify(catalogueCalls));
const script = fileURLToPath(new URL('../runtimes/golden-slice.mjs', import.meta.url));
const installed = (path: string) => fileURLToPath(new URL(`../../runtimes/node_modules/${path}`, import.meta.url));
const RUNTIMES: Record<string, { binary: string; args: string[] }> = {
  'Node 22': { binary: installed('node22/bin/node'), args: [script, calls] },
  'Node 24': { binary: installed('node24/bin/node'), args: [script, calls] },
  'Node 26': { binary: installed('node26/bin/node'), args: [script, calls] },
  // the platform packages' binaries themselves (the wrappers' install scripts are not run)
  Bun: { binary: installed('@oven/bun-linux-x64/bin/bun'), args: [script, calls] },
  Deno: { binary: installed('@deno/linux-x64-glibc/deno'), args: ['run', '--allow-read', script, calls] },
};

type Results = Record<string, Record<string, string>>;
function run(binary: string, args: string[]): { results: Results; version: string } {
  const result = spawnSync(binary, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${binary} failed: ${result.stderr || result.error}`);
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return { results: JSON.parse(result.stdout) as Results, version };
}

const bits = (hex: string) => {
  const view = new DataView(new ArrayBuffer(8));
  return hex
    .split(' ')
    .filter(Boolean)
    .map((h) => {
      if (h === 'nan') return Number.NaN;
      view.setBigUint64(0, BigInt(`0x${h}`));
      return view.getFloat64(0);
    });
};

describe('the golden slice on every runtime', () => {
  const reference = run(process.execPath, [script, calls]).results;

  it('Node 20 runs the plain SIMD and scalar builds', () => {
    expect(Object.keys(reference.simd).length).toBeGreaterThan(100);
    expect(Object.keys(reference.simd).filter((key) => key.startsWith('catalogue ')).length).toBe(
      (catalogueCalls as unknown[]).length,
    );
    expect(Object.keys(reference.scalar)).toEqual(Object.keys(reference.simd));
  });

  // runtimes/ holds linux-x64 builds: elsewhere the matrix is skipped, but in CI here a missing one fails
  const required = process.env.CI === 'true' && process.platform === 'linux' && process.arch === 'x64';
  for (const [name, { binary, args }] of Object.entries(RUNTIMES)) {
    it.runIf(required && !existsSync(binary))(`${name} is installed (runtimes/, by npm ci)`, () => {
      expect(existsSync(binary), `${binary} is missing: run npm ci (or npm ci --prefix runtimes)`).toBe(true);
    });
    it.runIf(existsSync(binary))(
      `${name}: the same bits in the SIMD and scalar builds, relaxed SIMD within 8 ulps`,
      () => {
        const { results, version } = run(binary, args);
        console.log(`${name} (${version}): builds ${Object.keys(results).join(', ')}`);
        for (const build of ['simd', 'scalar'] as const)
          expect(results[build], `${name} ${build}`).toEqual(reference[build]);
        if (results['relaxed-simd']) {
          for (const [key, value] of Object.entries(results['relaxed-simd'])) {
            const dtype = key.includes('float64') ? 'float64' : 'float32';
            assertBuildsClose(key, bits(value), bits(reference.simd[key]), dtype, `${name} relaxed SIMD: ${key}`);
          }
        }
      },
    );
  }
});

// `engines` says ^20.19.0 || >=22.12.0: the Node lines whose require() loads an ES module
describe('require and import on every Node line', () => {
  const nodes: Record<string, string> = { 'Node 20': process.execPath };
  for (const [name, { binary }] of Object.entries(RUNTIMES)) if (name.startsWith('Node')) nodes[name] = binary;
  const script = `const x = require('xentropy'); import('xentropy')
    .then(async (m) => { await x.init(); console.log(m.crossEntropy === x.crossEntropy, x.wasmBuild()); })`;
  for (const [name, binary] of Object.entries(nodes)) {
    it.runIf(existsSync(binary))(`${name}: require('xentropy') is the module import('xentropy') gives`, () => {
      const result = inProject((cwd) => spawnSync(binary, ['-e', script], { cwd, encoding: 'utf8', timeout: 60_000 }));
      expect(result.stderr.replace(/.*ExperimentalWarning.*\n?|.*--trace-warnings.*\n?/g, '')).toBe('');
      expect(result.stdout.trim()).toMatch(/^true (simd|relaxed-simd)$/);
    });
  }
});

// Float16Array (Node ≥ 24, Bun, Deno): computed in float32, each result rounded to float16 (test/runtimes/float16.mjs)
describe('Float16Array in, on the runtimes that have it', () => {
  const half = fileURLToPath(new URL('../runtimes/float16.mjs', import.meta.url));
  type Report = {
    available: boolean;
    calls: Record<string, Record<'half' | 'single', { values: number[]; types: string[] }>>;
    sameOut: boolean;
    sameGrad: boolean;
    refused: Record<string, string>;
  };
  it('the reference rounding: float16 boundaries, ties to even, subnormals', () => {
    expect(
      [65504, 65519.99, 65520, -1e6, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 1 + 2 ** -11, 1 + 3 * 2 ** -11].map(roundToHalf),
    ).toEqual([
      65504,
      65504,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2 ** -24,
      0,
      2 ** -23,
      1,
      1 + 2 ** -9,
    ]);
  });
  for (const [name, { binary, args }] of Object.entries(RUNTIMES)) {
    it.runIf(existsSync(binary))(`${name}: float16 results are the float32 results rounded to float16`, () => {
      const result = spawnSync(binary, [...args.slice(0, -2), half], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      if (name === 'Node 22') return expect(report.available).toBe(false); // (Float16Array came with Node 24)
      expect(report.available).toBe(true);
      expect(Object.keys(report.calls)).toHaveLength(12);
      for (const [call, { half: h, single }] of Object.entries(report.calls)) {
        expect(h.types, call).toEqual(single.types.map((t) => (t === 'Float32Array' ? 'Float16Array' : t)));
        expect(h.values, call).toEqual(single.values.map(roundToHalf));
      }
      expect([report.sameOut, report.sameGrad]).toEqual([true, true]);
      const like = (what: string, received: string) =>
        `must be a ${what} like the input, received ${received} of length 6`;
      const [single, either] = ['Float32Array', 'Float32Array or Float64Array'];
      expect(report.refused).toEqual({
        'float32 target': `TypeError: crossEntropy: target.data ${like('Float16Array', single)}`,
        'float16 target': `TypeError: crossEntropy: target.data ${like(either, 'Float16Array')}`,
        'float32 out': `TypeError: softmax: options.out ${like('Float16Array', single)}`,
        'float16 linearWeight': `TypeError: linearCrossEntropy: linearWeight.data ${like(either, 'Float16Array')}`,
      });
    });
  }
});
