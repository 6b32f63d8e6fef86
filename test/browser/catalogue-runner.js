// Runs calls from the test catalogue (test/helpers/catalogue.ts) through a loaded xentropy, wherever it runs: a
// browser page, another runtime, a worker. Calls travel as JSON, their typed arrays as { $typed, b64 }; each
// result comes back as every number it holds, in a fixed order.

const TYPED = { Float32Array, Float64Array, Int32Array };

/** Base64 of an array's bytes. */
export function toBase64(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** The bytes of a base64 text, as an array of `Type`. */
export function fromBase64(text, Type) {
  const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  return new Type(bytes.buffer, 0, bytes.length / Type.BYTES_PER_ELEMENT);
}

/** A value made JSON-safe: typed arrays as { $typed, b64 }, records and lists entry by entry. */
export function toWire(value) {
  if (ArrayBuffer.isView(value)) return { $typed: value.constructor.name, b64: toBase64(value) };
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]));
  return value;
}

/** The value toWire made JSON-safe. */
export function fromWire(value) {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value && typeof value === 'object') {
    if (value.$typed) return fromBase64(value.b64, TYPED[value.$typed]);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(v)]));
  }
  return value;
}

/** Every number a result holds, in a fixed order: a number, a typed array, a tensor, or a record of them. */
export function numbersIn(result) {
  const parts = [];
  const collect = (value) => {
    if (typeof value === 'number') parts.push([value]);
    else if (ArrayBuffer.isView(value)) parts.push(value);
    else if (typeof value === 'object' && value !== null) {
      for (const key of Object.keys(value).sort()) if (key !== 'shape') collect(value[key]);
    }
  };
  collect(result);
  const numbers = new Float64Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    numbers.set(part, at);
    at += part.length;
  }
  return numbers;
}

/** Runs one call ({ name, args, options }, its arrays made); every number its result holds. */
export function runCall(lib, call) {
  return numbersIn(lib[call.name](...call.args, ...(call.options ? [call.options] : [])));
}

/** { label: every number the call returned } for calls as toWire sent them. */
export function runWireCalls(lib, calls) {
  const results = {};
  for (const call of calls) results[call.label] = runCall(lib, fromWire(call));
  return results;
}
