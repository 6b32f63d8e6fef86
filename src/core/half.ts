// Float16Array in (Node 24+, Chrome 135+, Firefox 129+, Safari 18.2+): read as float32, computed in float32, and
// returned as Float16Array, each value rounded to the nearest float16 (ties to even), as Float16Array stores it;
// a number result is rounded the same way (Math.f16round). The call's input decides: with a float16 input, its
// other float tensors and `out` are float16 as well; `out` receives the rounded result when the call is done.

type HalfArray = ArrayLike<number> & { set(values: ArrayLike<number>): void };
type HalfConstructor = new (values: ArrayLike<number>) => HalfArray;

/** The engine's Float16Array, where it has one. */
export const Float16 = (globalThis as { Float16Array?: HalfConstructor }).Float16Array;
const f16round = (Math as { f16round?: (x: number) => number }).f16round;

/** The call running now: whether its input is float16 (undefined until its first float tensor is read), its outs. */
let call: { half?: boolean; outs?: Map<Float32Array, HalfArray> } | undefined;

/**
 * What `run` returns, its float16 input given back as float16: Float16Array taken in and given back. Each call has
 * its own state, so a call that a getter makes while another call reads its arguments is a call of its own.
 */
export function inHalfAwareCall<R>(run: () => R): R {
  const outer = call;
  const own: NonNullable<typeof call> = {};
  call = own;
  try {
    const result = run();
    if (!own.half) return result;
    // an async call's arguments are read before its first await: its result is given back as float16 when it comes
    if (result instanceof Promise) return result.then((value) => halfResult(value, own.outs)) as R;
    for (const [computed, out] of own.outs ?? []) out.set(computed);
    return halfResult(result, own.outs) as R;
  } finally {
    call = outer;
  }
}

/**
 * A float tensor's data as the call computes it: a float32 copy of a float16 view. The first one read (the input)
 * fixes the call's dtype; a later one of the other kind is a TypeError.
 */
export function asComputed(caller: string, name: string, view: ArrayBufferView, tag: string): ArrayBufferView {
  const half = tag === 'Float16Array';
  if (!call) {
    if (half) throw new TypeError(`${caller}: ${name} cannot be a Float16Array here`);
    return view;
  }
  if (call.half === undefined) call.half = half;
  else if (call.half !== half) {
    const expected = call.half ? 'Float16Array' : 'Float32Array or Float64Array';
    const received = `${tag} of length ${(view as Float32Array).length}`;
    throw new TypeError(`${caller}: ${name} must be a ${expected} like the input, received ${received}`);
  }
  return half ? Float32Array.from(view as unknown as ArrayLike<number>) : view;
}

/** Whether the call's input is float16. */
export const halfCall = (): boolean => call?.half === true;

/** A float16 `out` as the call writes it: a float32 copy (for accumulate), given back rounded into `out`. */
export function halfOut(out: HalfArray): Float32Array {
  const computed = Float32Array.from(out);
  if (call) {
    call.outs ??= new Map();
    call.outs.set(computed, out);
  }
  return computed;
}

type Outs = Map<Float32Array, HalfArray> | undefined;

function halfData(data: unknown, outs: Outs): unknown {
  // an out comes back as the caller's own array (already written) or as the float32 copy the call wrote
  const out = outs?.get(data as Float32Array);
  if (out) return out;
  return data instanceof Float32Array && Float16 ? new Float16(data) : data;
}

/** The result with float32 data as float16 and numbers rounded (shapes and integer data as they are). */
function halfResult(result: unknown, outs: Outs): unknown {
  if (typeof result === 'number') return f16round ? f16round(result) : result;
  if (typeof result !== 'object' || result === null) return result;
  const fields = result as Record<string, unknown>;
  if ('data' in fields) {
    fields.data = halfData(fields.data, outs);
    return result;
  }
  for (const key of Object.keys(fields)) fields[key] = halfResult(fields[key], outs);
  return result;
}
