// Arguments that live in WebAssembly memory survive the call that grows it. Growing memory detaches every view of
// the old buffer (a detached view reports offset 0 and length 0), so the pipeline must find each resident
// argument by the address and length it recorded before its allocation. Each case makes the call's allocation
// grow memory, with one argument resident at a time (allocTensor) and the rest plain, asserts that the call grew
// memory, and must give bit for bit what the same call gives on plain arrays; a destination must also hold the
// result afterwards.
import { describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';

type Lib = typeof import('../../src/index.js');
type Arg = Float32Array | Float64Array | Int32Array;
type Args = Record<string, Arg>;

const R = 64; // rows
const C = 1024;

const random = makeRandom(2026);
const floats = (n: number, lo = -4, hi = 4) => Array.from({ length: n }, () => random.uniform(lo, hi));
const LOGITS = floats(R * C);
const TARGET_PROBS = floats(R * C, 0, 1);
const CLASSES = Array.from({ length: R }, (_, i) => (i * 37) % C);
const WEIGHTS = floats(C, 0.5, 2);
const PER_ROW = floats(R, 0.5, 2);
const START = floats(R * C, -1, 1);
const D = 16;
const HIDDEN = floats(R * D, -1, 1);
const HEAD = floats(C * D, -0.5, 0.5);
const GRAD_W_START = floats(C * D, -1, 1);

interface Case {
  name: string;
  args: (Float: typeof Float32Array | typeof Float64Array) => Args;
  /** The call; returns what must match (destinations are read back from `a` afterwards). */
  call: (x: Lib, a: Args) => unknown;
  destinations?: string[];
}

const tensor = (data: Arg, shape: number[]) => ({ data, shape }) as never;
const CASES: Case[] = [
  {
    name: 'softmax into out',
    args: (F) => ({ input: F.from(LOGITS), out: new F(R * C) }),
    call: (x, a) => x.softmax(tensor(a.input, [R, C]) as never, { out: a.out as never }).data,
    destinations: ['out'],
  },
  {
    name: 'logSumExp along dim 0 (the dim moved last)',
    args: (F) => ({ input: F.from(LOGITS) }),
    call: (x, a) => x.logSumExp(tensor(a.input, [R, C]) as never, { dim: 0 }).data,
  },
  {
    name: 'crossEntropyWithGrad, class indices, weight, accumulate into out',
    args: (F) => ({
      input: F.from(LOGITS),
      target: Int32Array.from(CLASSES),
      weight: F.from(WEIGHTS),
      out: F.from(START),
    }),
    call: (x, a) =>
      x.crossEntropyWithGrad(tensor(a.input, [R, C]) as never, tensor(a.target, [R]), {
        weight: a.weight as never,
        out: a.out as never,
        accumulate: true,
      }).loss,
    destinations: ['out'],
  },
  {
    name: "crossEntropyWithGrad, 'none' with a gradOutput, (N, C, d) input",
    args: (F) => ({ input: F.from(LOGITS), target: Int32Array.from(CLASSES), gradOutput: F.from(PER_ROW) }),
    call: (x, a) => {
      const r = x.crossEntropyWithGrad(tensor(a.input, [R / 4, C, 4]) as never, tensor(a.target, [R / 4, 4]), {
        reduction: 'none',
        gradOutput: tensor(a.gradOutput, [R / 4, 4]) as never,
      });
      return [r.loss, r.grad.data];
    },
  },
  {
    name: 'crossEntropyWithGrad, probability targets',
    args: (F) => ({ input: F.from(LOGITS), target: F.from(TARGET_PROBS), out: new F(R * C) }),
    call: (x, a) =>
      x.crossEntropyWithGrad(tensor(a.input, [R, C]) as never, tensor(a.target, [R, C]) as never, {
        out: a.out as never,
      }).loss,
    destinations: ['out'],
  },
  {
    name: 'crossEntropyWithGrad on a vocabulary shard, with lse',
    args: () => ({
      input: Float64Array.from(LOGITS),
      target: Int32Array.from(CLASSES),
      lse: Float64Array.from(PER_ROW, (v) => v + 8),
    }),
    call: (x, a) => {
      const r = x.crossEntropyWithGrad(tensor(a.input, [R, C]) as never, tensor(a.target, [R]), {
        lse: a.lse as never,
        vocabStart: 0,
        vocabSize: 2 * C,
        reduction: 'sum',
      });
      return [r.loss, r.grad.data];
    },
  },
  {
    name: 'binaryCrossEntropyWithLogitsWithGrad with weight and posWeight',
    args: (F) => ({
      input: F.from(LOGITS),
      target: F.from(TARGET_PROBS),
      weight: F.from(WEIGHTS),
      posWeight: F.from(WEIGHTS),
    }),
    call: (x, a) => {
      const r = x.binaryCrossEntropyWithLogitsWithGrad(
        tensor(a.input, [R, C]) as never,
        tensor(a.target, [R, C]) as never,
        {
          weight: a.weight as never,
          posWeight: a.posWeight as never,
        },
      );
      return [r.loss, r.grad.data];
    },
  },
  {
    name: 'tokenLogProbs',
    args: (F) => ({ logits: F.from(LOGITS), target: Int32Array.from(CLASSES) }),
    call: (x, a) => x.tokenLogProbs(tensor(a.logits, [R, C]) as never, tensor(a.target, [R])).data,
  },
  {
    name: 'topK with a target',
    args: (F) => ({ logits: F.from(LOGITS), target: Int32Array.from(CLASSES) }),
    call: (x, a) => x.topK(tensor(a.logits, [R, C]) as never, 3, { target: tensor(a.target, [R]) }),
  },
  {
    name: 'linearCrossEntropyWithGrad, every destination, accumulate',
    args: (F) => ({
      input: F.from(HIDDEN),
      linearWeight: F.from(HEAD),
      target: Int32Array.from(CLASSES),
      linearBias: F.from(WEIGHTS),
      weight: F.from(WEIGHTS),
      gradInputOut: new F(R * D),
      gradWeightOut: F.from(GRAD_W_START),
      gradBiasOut: F.from(WEIGHTS),
    }),
    call: (x, a) =>
      x.linearCrossEntropyWithGrad(
        tensor(a.input, [R, D]) as never,
        tensor(a.linearWeight, [C, D]) as never,
        tensor(a.target, [R]),
        {
          linearBias: a.linearBias as never,
          weight: a.weight as never,
          gradInputOut: a.gradInputOut as never,
          gradWeightOut: a.gradWeightOut as never,
          gradBiasOut: a.gradBiasOut as never,
          accumulate: true,
          chunkSize: 8,
        },
      ).loss,
    destinations: ['gradInputOut', 'gradWeightOut', 'gradBiasOut'],
  },
];

/**
 * The library with its scratch allocation made to grow WebAssembly memory by one page first, on every call: the
 * hostile case (an argument resident while the call's own allocation grows the memory) on demand.
 */
async function growingLibrary(): Promise<{ x: Lib; setChunkBytes: (bytes: number) => number; restore: () => void }> {
  const x = (await import('../../src/index.js')) as Lib;
  const { setChunkBytes } = await import('../../src/core/pipeline/index.js');
  const { wasm } = await import('../../src/core/instance.js');
  await x.init();
  const kernels = wasm('growth test') as unknown as { scratch(b: number): number; memory: WebAssembly.Memory };
  const scratch = kernels.scratch;
  kernels.scratch = (bytes: number) => {
    kernels.memory.grow(1);
    return scratch(bytes);
  };
  const restore = () => {
    kernels.scratch = scratch;
  };
  return { x, setChunkBytes, restore };
}

const plainValues = (value: unknown): unknown => {
  if (ArrayBuffer.isView(value)) return Array.from(value as Float64Array);
  if (Array.isArray(value)) return value.map(plainValues);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValues(v)]));
  }
  return value;
};

describe.each([Float32Array, Float64Array])('a call that grows memory, %s', (Float) => {
  for (const c of CASES) {
    describe(c.name, () => {
      for (const chunks of ['one chunk', 'several chunks'] as const) {
        it.each(Object.keys(c.args(Float)))(`%s resident, ${chunks}`, async (resident) => {
          const { x, setChunkBytes, restore } = await growingLibrary();
          const previous = setChunkBytes(chunks === 'one chunk' ? 64 * 2 ** 20 : 16 * 2 ** 10);
          try {
            const plain = c.args(Float);
            const expected = plainValues(c.call(x, plain));
            const expectedDestinations = (c.destinations ?? []).map((d) => Array.from(plain[d]));
            const args = c.args(Float);
            const source = args[resident];
            const t = x.allocTensor(source.constructor as typeof Float32Array, [source.length]);
            t.data.set(source as Float32Array);
            args[resident] = t.data;
            const before = x.wasmMemoryBytes();
            const got = plainValues(c.call(x, args));
            expect(x.wasmMemoryBytes(), 'the call grew memory').toBeGreaterThan(before);
            expect(got).toEqual(expected);
            (c.destinations ?? []).forEach((d, i) => {
              const held = d === resident ? t.data : args[d];
              expect(Array.from(held), d).toEqual(expectedDestinations[i]);
            });
            t.free();
          } finally {
            setChunkBytes(previous);
            restore();
          }
        });
      }
    });
  }
});
