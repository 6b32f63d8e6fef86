// linearScoreAsync: linearScore's results bit for bit, on one thread (yielding to the event loop between tiles: here
// after every tile, by a time slice of 0) and on the worker pool alone (the calling thread free), with progress,
// abort, bad input and the hostile caller's moves while it runs: changing or freeing its arguments, other calls, init
// and release.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { setYieldSlice } from '../../src/core/pipeline/async-loop.js';
import { setTileColumns } from '../../src/families/linear-scoring.js';
import {
  allocTensor,
  crossEntropy,
  init,
  type LinearScoreOptions,
  type LinearScores,
  linearScore,
  linearScoreAsync,
  release,
  wasmMemoryBytes,
  wasmThreads,
} from '../../src/index.js';

type Float = Float32ArrayConstructor | Float64ArrayConstructor;

beforeAll(async () => {
  await init({ threads: 1 });
  setTileColumns(64); // many tiles: many progress steps and awaits
  setYieldSlice(0); // a yield after every tile
});
afterAll(async () => {
  setTileColumns();
  setYieldSlice();
  await init({ threads: 1 });
});

/** A call's arguments: hidden states [2, T, d], a head [V, d] with its bias, targets with ignored positions. */
function problem(Float: Float, seed: number, T = 150, d = 24, V = 700) {
  const random = makeRandom(seed);
  const input = { data: Float.from(Array.from({ length: 2 * T * d }, () => random.normal())), shape: [2, T, d] };
  const linearWeight = { data: Float.from(Array.from({ length: V * d }, () => 0.4 * random.normal())), shape: [V, d] };
  const linearBias = Float.from(Array.from({ length: V }, () => 0.1 * random.normal()));
  const target = Int32Array.from({ length: 2 * T }, (_, i) => (i % 13 === 5 ? -100 : (i * 37) % V));
  const options: LinearScoreOptions = { target: { data: target, shape: [2, T] }, k: 4, linearBias, chunkSize: 40 };
  return { input, linearWeight, options, rows: 2 * T, vocab: V };
}

/** Every result as plain values, so that two results compare bit for bit (NaN and −0 included). */
const plain = (scores: LinearScores) =>
  Object.fromEntries(
    Object.entries(scores).map(([key, value]) => [
      key,
      typeof value === 'number'
        ? value
        : key === 'topK'
          ? [Array.from(value.indices.data), Array.from(value.logProbs.data)]
          : Array.from(value.data as ArrayLike<number>),
    ]),
  );

/** Counts the event loop's turns until stopped. */
function turns() {
  let count = 0;
  let running = true;
  const turn = () => {
    count++;
    if (running) setImmediate(turn);
  };
  setImmediate(turn);
  return {
    stop: () => {
      running = false;
      return count;
    },
  };
}

describe('linearScoreAsync', () => {
  const threadsName = (threads: number) => `${threads} thread${threads > 1 ? 's' : ''}`;
  const cases = [Float32Array, Float64Array].flatMap((Float, f) =>
    [{}, { softcap: 8, temperature: 0.7, shift: true }, { outputs: ['entropy', 'logSumExp'] }].map((extra) => {
      const { input, linearWeight, options } = problem(Float, f + 1);
      const asked = { ...options, ...extra } as LinearScoreOptions;
      return { label: `${Float.name} ${JSON.stringify(extra)}`, input, linearWeight, asked };
    }),
  );
  /** Where two results differ: each output's differing rows (a chunk is 40 rows). */
  const differences = (got: Record<string, unknown>, want: Record<string, unknown>) =>
    Object.keys(want).flatMap((key) => {
      const [a, b] = [JSON.stringify(got[key]), JSON.stringify(want[key])];
      if (a === b) return [];
      const [x, y] = [got[key], want[key]].map((v) => (key === 'topK' ? (v as number[][])[1] : v) as number[]);
      const rows = Array.isArray(y) ? y.flatMap((v, r) => (Object.is(v, x[r]) ? [] : [r])) : [];
      return [`${key} at ${rows.length} places [${rows[0]}..${rows.at(-1)}]`];
    });
  for (const threads of [1, 2, 3]) {
    it(`gives one thread's linearScore bit for bit, as linearScore does (${threadsName(threads)})`, async () => {
      await init({ threads: 1 });
      const truths = cases.map((c) => plain(linearScore(c.input, c.linearWeight, c.asked)));
      await init({ threads });
      expect(wasmThreads()).toBe(threads);
      for (const [i, c] of cases.entries()) {
        const sync = plain(linearScore(c.input, c.linearWeight, c.asked));
        const async = plain(await linearScoreAsync(c.input, c.linearWeight, c.asked));
        expect(differences(sync, truths[i]), `linearScore, ${c.label}`).toEqual([]);
        expect(differences(async, truths[i]), `linearScoreAsync, ${c.label}`).toEqual([]);
      }
    });
  }

  it('reports progress after each tile, in logits scored, up to rows · V', async () => {
    for (const threads of [1, 2]) {
      await init({ threads });
      const { input, linearWeight, options, rows, vocab } = problem(Float32Array, 3);
      const steps: [number, number][] = [];
      await linearScoreAsync(input, linearWeight, {
        ...options,
        onProgress: (done, total) => steps.push([done, total]),
      });
      const tilesPerChunk = Math.ceil(vocab / 64);
      expect(steps.length).toBe(Math.ceil(rows / 40) * tilesPerChunk);
      expect(steps.every(([, total]) => total === rows * vocab)).toBe(true);
      expect(steps.every(([done], i) => i === 0 || done > steps[i - 1][0])).toBe(true);
      expect(steps.at(-1)?.[0]).toBe(rows * vocab);
    }
  });

  it('keeps the event loop turning: on one thread between tiles, on workers throughout', async () => {
    for (const threads of [1, 2]) {
      await init({ threads });
      const { input, linearWeight, options } = problem(Float32Array, 4);
      let progress = 0;
      const counter = turns();
      await linearScoreAsync(input, linearWeight, { ...options, onProgress: () => progress++ });
      expect(counter.stop()).toBeGreaterThanOrEqual(progress - 1);
    }
  });

  it('yields once its time slice has passed: after every tile at 0 ms, never within an endless one', async () => {
    await init({ threads: 1 });
    const { input, linearWeight, options } = problem(Float32Array, 4);
    const expected = plain(linearScore(input, linearWeight, options));
    for (const [slice, yields] of [
      [0, true],
      [1e9, false],
    ] as const) {
      setYieldSlice(slice);
      let progress = 0;
      const counter = turns();
      const scores = await linearScoreAsync(input, linearWeight, { ...options, onProgress: () => progress++ });
      const turned = counter.stop();
      expect(plain(scores)).toEqual(expected);
      if (yields) expect(turned).toBeGreaterThanOrEqual(progress - 1);
      else expect(turned).toBe(0);
    }
    setYieldSlice(0);
  });

  it('lets synchronous calls run meanwhile (on one thread while the workers are busy), both right', async () => {
    await init({ threads: 2 });
    const { input, linearWeight, options } = problem(Float32Array, 5);
    const expected = plain(linearScore(input, linearWeight, options));
    const logits = {
      data: Float32Array.from({ length: 4000 * 50 }, (_, i) => Math.sin(i * 0.37) * 4),
      shape: [4000, 50],
    };
    const classes = Int32Array.from({ length: 4000 }, (_, i) => i % 50);
    const lossAlone = crossEntropy(logits, classes);
    const losses: number[] = [];
    let pending = true;
    const between = () => {
      losses.push(crossEntropy(logits, classes)); // while the workers run a kernel of the async call
      if (pending) setImmediate(between);
    };
    setImmediate(between);
    const scores = await linearScoreAsync(input, linearWeight, options);
    pending = false;
    expect(plain(scores)).toEqual(expected);
    expect(losses.length).toBeGreaterThan(1); // one more than a call that held the thread throughout would allow
    expect(losses.every((loss) => loss === lossAlone)).toBe(true);
  });

  it('runs concurrent calls to the right results', async () => {
    for (const threads of [1, 3]) {
      await init({ threads });
      const a = problem(Float32Array, 6);
      const b = problem(Float64Array, 7, 90, 16, 300);
      const [ra, rb] = await Promise.all([
        linearScoreAsync(a.input, a.linearWeight, a.options),
        linearScoreAsync(b.input, b.linearWeight, b.options),
      ]);
      const [sa, sb] = [a, b].map((p) => plain(linearScore(p.input, p.linearWeight, p.options)));
      expect(differences(plain(ra), sa), `a, ${threadsName(threads)}`).toEqual([]);
      expect(differences(plain(rb), sb), `b, ${threadsName(threads)}`).toEqual([]);
    }
  });

  it('reads its arguments when called: changing them afterwards changes nothing', async () => {
    await init({ threads: 2 });
    const { input, linearWeight, options } = problem(Float32Array, 8);
    const expected = plain(linearScore(input, linearWeight, options));
    const pending = linearScoreAsync(input, linearWeight, options);
    input.data.fill(7);
    linearWeight.data.fill(-3);
    (options.linearBias as Float32Array).fill(1);
    expect(plain(await pending)).toEqual(expected);
  });

  describe('abort', () => {
    it('an aborted signal rejects with its reason before any work', async () => {
      const { input, linearWeight, options } = problem(Float32Array, 9);
      const reason = new Error('stop');
      let progress = 0;
      const signal = AbortSignal.abort(reason);
      const call = linearScoreAsync(input, linearWeight, { ...options, signal, onProgress: () => progress++ });
      await expect(call).rejects.toBe(reason);
      expect(progress).toBe(0);
    });

    for (const threads of [1, 2]) {
      it(`stops at the next kernel call, rejects, and gives its memory back (${threadsName(threads)})`, async () => {
        await init({ threads });
        const { input, linearWeight, options, rows, vocab } = problem(Float32Array, 10);
        const cycle = async () => {
          const controller = new AbortController();
          const seen: number[] = [];
          const call = linearScoreAsync(input, linearWeight, {
            ...options,
            signal: controller.signal,
            onProgress: (done) => {
              seen.push(done);
              if (seen.length === 3) controller.abort();
            },
          });
          await expect(call).rejects.toMatchObject({ name: 'AbortError' });
          return seen;
        };
        expect(await cycle()).toHaveLength(3); // no tile after the abort
        const memory = wasmMemoryBytes();
        for (let i = 0; i < 5; i++) await cycle();
        expect(wasmMemoryBytes()).toBe(memory); // each call's block was given back and taken again
        const after = await linearScoreAsync(input, linearWeight, options);
        expect(plain(after)).toEqual(plain(linearScore(input, linearWeight, options)));
        expect(rows * vocab).toBeGreaterThan(0);
      });
    }

    it('an onProgress that throws rejects the call with its error', async () => {
      await init({ threads: 2 });
      const { input, linearWeight, options } = problem(Float32Array, 11);
      const error = new RangeError('from onProgress');
      const memory = wasmMemoryBytes();
      for (let i = 0; i < 3; i++) {
        const call = linearScoreAsync(input, linearWeight, {
          ...options,
          onProgress: () => {
            throw error;
          },
        });
        await expect(call).rejects.toBe(error);
      }
      expect(wasmMemoryBytes()).toBe(memory);
    });
  });

  describe('bad input is a rejection naming the argument, never a throw', () => {
    const { input, linearWeight, options } = problem(Float32Array, 12);
    const cases: [string, () => Promise<unknown>, RegExp, ErrorConstructor][] = [
      [
        'a signal that is not an AbortSignal',
        () => linearScoreAsync(input, linearWeight, { signal: {} as AbortSignal }),
        /options\.signal must be an AbortSignal/,
        TypeError,
      ],
      [
        'an onProgress that is not a function',
        () => linearScoreAsync(input, linearWeight, { onProgress: 3 as never }),
        /options\.onProgress must be a function/,
        TypeError,
      ],
      [
        'd that differs',
        () => linearScoreAsync(input, { data: new Float32Array(700 * 25), shape: [700, 25] }),
        /linearScoreAsync: .*d/,
        RangeError,
      ],
      [
        'k > V',
        () => linearScoreAsync(input, linearWeight, { k: 701 }),
        /options\.k must be in \[1, 700\]/,
        RangeError,
      ],
      [
        'an unknown option',
        () => linearScoreAsync(input, linearWeight, { signals: 1 } as never),
        /unknown option "signals"/,
        TypeError,
      ],
      [
        'a target out of range',
        () =>
          linearScoreAsync(input, linearWeight, { target: { data: new Int32Array(300).fill(700), shape: [2, 150] } }),
        /target/,
        RangeError,
      ],
    ];
    it.each(cases)('%s', async (_, call, message, Type) => {
      const memory = wasmMemoryBytes();
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = call();
      }).not.toThrow();
      await expect(pending).rejects.toThrow(message);
      await expect(pending).rejects.toBeInstanceOf(Type);
      expect(wasmMemoryBytes()).toBe(memory);
    });
    it('every option given null is a rejection naming the function and the option', async () => {
      const names = [...'linearBias temperature softcap chunkSize ignoreIndex shift target k outputs'.split(' ')];
      for (const name of [...names, 'signal', 'onProgress']) {
        const call = linearScoreAsync(input, linearWeight, { [name]: null } as never);
        const error = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error instanceof TypeError || error instanceof RangeError, name).toBe(true);
        expect((error as Error).message).toContain('linearScoreAsync');
        expect((error as Error).message).toContain(name);
      }
    });

    it('the linearScore options still work: the same results as linearScore', async () => {
      expect(plain(await linearScoreAsync(input, linearWeight, options))).toEqual(
        plain(linearScore(input, linearWeight, options)),
      );
    });
  });

  describe('tensors in WebAssembly memory, init and release while it runs', () => {
    it('reads an allocTensor weight where it lies; freeing it meanwhile rejects with a TypeError', async () => {
      for (const threads of [1, 2]) {
        await init({ threads });
        const { input, linearWeight, options } = problem(Float32Array, 13);
        const expected = plain(linearScore(input, linearWeight, options));
        const resident = allocTensor(Float32Array, linearWeight.shape);
        resident.data.set(linearWeight.data);
        expect(plain(await linearScoreAsync(input, resident, options))).toEqual(expected);
        let freed = false;
        const call = linearScoreAsync(input, resident, {
          ...options,
          onProgress: () => {
            if (!freed) resident.free();
            freed = true;
          },
        });
        await expect(call).rejects.toThrow(/linearScoreAsync: linearWeight\.data was freed/);
      }
    });

    /** linearScoreAsync with `step` (init, release) started at its first progress and awaited; and linearScore's
     * results of the same arguments. */
    async function scoreDuring(seed: number, step: () => Promise<void>) {
      const { input, linearWeight, options } = problem(Float32Array, seed);
      const expected = plain(linearScore(input, linearWeight, options));
      let started: Promise<void> | undefined;
      const scores = await linearScoreAsync(input, linearWeight, {
        ...options,
        onProgress: () => {
          started ??= step();
        },
      });
      await started;
      expect(started).toBeDefined();
      return { scores: plain(scores), expected, again: () => linearScoreAsync(input, linearWeight, options) };
    }

    it('init({ threads: 1 }) meanwhile: the call goes on, on this thread, to the same results', async () => {
      await init({ threads: 3 });
      const { scores, expected } = await scoreDuring(14, () => init({ threads: 1 }));
      expect(wasmThreads()).toBe(1);
      expect(scores).toEqual(expected);
    });

    it('release() meanwhile: the call finishes in the memory it started in', async () => {
      for (const threads of [1, 2]) {
        await init({ threads });
        const { scores, expected, again } = await scoreDuring(15, release);
        expect(scores).toEqual(expected);
        expect(plain(await again())).toEqual(expected);
      }
    });
  });

  it('hidden states of d = 0 and no rows resolve as linearScore returns', async () => {
    const weight = { data: new Float32Array(0), shape: [5, 0] };
    const options = {
      k: 2,
      linearBias: Float32Array.of(0, 1, 2, 3, 4),
      target: { data: Int32Array.of(1, 4, 0), shape: [1, 3] },
    };
    const zeroD = { data: new Float32Array(0), shape: [1, 3, 0] };
    expect(plain(await linearScoreAsync(zeroD, weight, options))).toEqual(plain(linearScore(zeroD, weight, options)));
    const noRows = { data: new Float32Array(0), shape: [0, 4] };
    const empty = { data: new Float32Array(20), shape: [5, 4] };
    expect(plain(await linearScoreAsync(noRows, empty, { k: 2 }))).toEqual(plain(linearScore(noRows, empty, { k: 2 })));
  });
});
