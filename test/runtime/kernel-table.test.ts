// The kernel list (src/core/kernels.ts) and every build must agree: the same exports, each taking the list's
// positional arguments in order and of their wasm types, then the params block's address where the kernel has
// params, and a result only where the list says the kernel returns a sum; each loss class's params where the
// list's block layout puts them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_NAMES, layoutOf, MAX_SPLIT_ARGS, SPLIT_KERNELS } from '../../src/core/kernel-abi.js';
import { KERNELS, type KernelName } from '../../src/core/kernels.js';

const BUILDS = ['simd', 'relaxed', 'scalar', 'threads', 'relaxed-threads'] as const;
const wat = (build: string) => readFileSync(new URL(`../../build/xentropy.${build}.wat`, import.meta.url), 'utf8');

/** Each exported function's parameter types and result, read from the build's text format. */
function exportedSignatures(text: string): Map<string, { params: string[]; result?: string }> {
  const signatures = new Map<string, { params: string[]; result?: string }>();
  for (const [, name, internal] of text.matchAll(/\(export "(\w+)" \(func (\S+)\)\)/g)) {
    const line = text.split('\n').find((l) => l.startsWith(` (func ${internal} `)) ?? '';
    const params = [...line.matchAll(/\(param \$\d+ (\w+)\)/g)].map((m) => m[1]);
    signatures.set(name, { params, result: /\(result (\w+)\)/.exec(line)?.[1] });
  }
  return signatures;
}

describe.each(BUILDS)('the %s build', (build) => {
  const text = wat(build);
  const exported = [...text.matchAll(/\(export "(\w+)"/g)].map((m) => m[1]);

  it('exports exactly what the table declares', () => {
    expect([...exported].sort()).toEqual([...EXPORT_NAMES].sort());
  });

  it("each kernel takes the list's positional arguments in order, then its params block", () => {
    const signatures = exportedSignatures(text);
    for (const kernel of Object.keys(KERNELS) as KernelName[]) {
      const { positional, params } = layoutOf(kernel);
      const returns = 'returns' in KERNELS[kernel] ? 'f64' : undefined;
      const expected = [
        ...positional.map(() => 'i32'),
        ...(params.length > 0 || 'loss' in KERNELS[kernel] ? ['i32'] : []),
      ];
      for (const suffix of ['F32', 'F64']) {
        expect(signatures.get(`${kernel}${suffix}`), `${kernel}${suffix}`).toEqual({
          params: expected,
          result: returns,
        });
      }
    }
  });
});

describe.each(['simd', 'scalar'])('the params block, %s test build', (build) => {
  it("each loss class's fields lie where the list's block layout puts them, after the driver's params", async () => {
    const bytes = readFileSync(new URL(`../../build/math/xentropy.${build}.wasm`, import.meta.url));
    const { instance } = await WebAssembly.instantiate(bytes, { env: { abort: () => {} } });
    const offset = instance.exports.lossParamOffset as (kernel: number, field: number) => number;
    (Object.keys(KERNELS) as KernelName[]).forEach((kernel, index) => {
      const spec = KERNELS[kernel];
      const own = 'loss' in spec ? Object.keys(spec.loss.params) : [];
      if (own.length === 0) {
        expect(offset(index, 0), kernel).toBe(-1);
        return;
      }
      const driver = layoutOf(kernel).params.length - own.length;
      own.forEach((name, i) => {
        // the class is read at the block's address + 8 · (the driver's params): field i in slot driver + i
        expect(offset(index, i), `${kernel}.${name}`).toBe(8 * i);
        expect(layoutOf(kernel).params[driver + i][0]).toBe(name);
      });
      expect(offset(index, own.length), `${kernel}: the class holds exactly its params`).toBe(8 * own.length);
    });
  });
});

describe("the runtime's table", () => {
  it("is the kernel list: positional arguments, params in block order (the loss's after the driver's), threads", () => {
    const params = new Set(['float', 'f64', 'i32']);
    for (const kernel of Object.keys(KERNELS) as KernelName[]) {
      const spec = KERNELS[kernel];
      const args = Object.entries(spec.args);
      const own = 'loss' in spec ? Object.entries(spec.loss.params) : [];
      const abi = layoutOf(kernel);
      expect(abi.positional, kernel).toEqual(args.filter(([, kind]) => kind === 'ptr' || kind === 'int'));
      expect(abi.params, kernel).toEqual([...args.filter(([, kind]) => params.has(kind)), ...own]);
      expect(abi.split, kernel).toBe(spec.split);
    }
  });
});

describe('the thread pool layout', () => {
  it('holds the longest splittable kernel, and splits only kernels that return nothing', () => {
    const splittable = (Object.keys(KERNELS) as KernelName[]).filter((k) => KERNELS[k].split);
    expect(MAX_SPLIT_ARGS).toBe(Math.max(...splittable.map((k) => layoutOf(k).positional.length + 1)));
    for (const k of splittable) expect('returns' in KERNELS[k], k).toBe(false);
    expect(SPLIT_KERNELS).toHaveLength(2 * splittable.length);
  });
});
