// The kernel table (src/core/kernels.ts) and assembly/index.ts must agree: the same exports in every build,
// each with the table's arguments in order and of the table's wasm types, and a result only where the
// table says the kernel returns a sum.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPORT_NAMES, KERNELS, type KernelName, MAX_SPLIT_ARGS, SPLIT_KERNELS } from '../src/core/kernels.js';

const BUILDS = ['simd', 'relaxed', 'scalar', 'threads'] as const;
const wat = (build: string) => readFileSync(new URL(`../build/xentropy.${build}.wat`, import.meta.url), 'utf8');

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

  it('each kernel takes the table arguments, in order, of their wasm types', () => {
    const signatures = exportedSignatures(text);
    for (const kernel of Object.keys(KERNELS) as KernelName[]) {
      const { args } = KERNELS[kernel];
      const returns = 'returns' in KERNELS[kernel] ? 'f64' : undefined;
      for (const [suffix, float] of [
        ['F32', 'f32'],
        ['F64', 'f64'],
      ] as const) {
        const wasmType = { ptr: 'i32', int: 'i32', float, f64: 'f64' } as const;
        const expected = Object.values(args).map((kind) => wasmType[kind]);
        expect(signatures.get(`${kernel}${suffix}`), `${kernel}${suffix}`).toEqual({
          params: expected,
          result: returns,
        });
      }
    }
  });
});

describe('the thread pool layout', () => {
  it('holds the longest splittable kernel, and splits only kernels that return nothing', () => {
    const splittable = (Object.keys(KERNELS) as KernelName[]).filter((k) => KERNELS[k].split);
    expect(MAX_SPLIT_ARGS).toBe(Math.max(...splittable.map((k) => Object.keys(KERNELS[k].args).length)));
    for (const k of splittable) expect('returns' in KERNELS[k], k).toBe(false);
    expect(SPLIT_KERNELS).toHaveLength(2 * splittable.length);
  });
});
