// The catalogue of public functions (test/helpers/catalogue.ts) holds every export, and what every entry takes is
// checked alike: each option it accepts, given null, is a TypeError or RangeError naming the function and the
// option (never a default quietly taken), for both dtypes.
import { beforeAll, describe, expect, it } from 'vitest';
import * as x from '../../src/index.js';
import { ASYNC_EXPORTS, CATALOGUE, RUNTIME_EXPORTS } from '../helpers/catalogue.js';

beforeAll(() => x.init());
const exported = new Map<string, unknown>(Object.entries(x));

it('every export has a catalogue entry, and every …WithGrad pair is one', () => {
  const named = new Set<string>([...CATALOGUE.map((e) => e.name), ...RUNTIME_EXPORTS, ...ASYNC_EXPORTS]);
  const functions = Object.keys(x).filter((k) => typeof (x as Record<string, unknown>)[k] === 'function');
  expect(functions.filter((k) => !named.has(k))).toEqual([]);
  for (const e of CATALOGUE) if (e.withGrad) expect(named.has(e.withGrad), e.withGrad).toBe(true);
});

/** The options a function accepts, as its error for an unknown one lists them. */
function optionsOf(call: (options: unknown) => unknown): string[] {
  try {
    call({ '~unknown': 1 });
  } catch (e) {
    return [...(e as Error).message.matchAll(/"(\w+)"/g)].map((m) => m[1]);
  }
  throw new Error('an unknown option was accepted');
}

describe.each([
  ['float32', Float32Array],
  ['float64', Float64Array],
] as const)('options given null, %s', (_, Float) => {
  // (sigmoid and logSigmoid take no options; allocTensor takes a dtype and a shape)
  for (const entry of CATALOGUE.filter((e) => e.family !== 'memory' && e.family !== 'elementwise')) {
    it(`${entry.name}: every option`, () => {
      const fn = exported.get(entry.name) as (...args: unknown[]) => unknown;
      const call = (options: unknown) => fn(...entry.args(Float, [2, 3]), options);
      const names = optionsOf(call);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        let error: unknown;
        try {
          call({ [name]: null });
        } catch (e) {
          error = e;
        }
        expect(error instanceof TypeError || error instanceof RangeError, `${entry.name}: ${name}: null`).toBe(true);
        expect((error as Error).message).toContain(entry.name);
        expect((error as Error).message).toContain(name);
      }
    });
  }
});
