// Reads the golden vectors written by test/golden/generate.py.
import { readFileSync } from 'node:fs';

export interface Encoded {
  dtype: 'float32' | 'float64' | 'int32';
  shape: number[];
  b64: string;
}

export interface Decoded<T = Float32Array | Float64Array | Int32Array> {
  data: T;
  shape: number[];
}

const TYPES = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

export function decode<T = Float32Array | Float64Array>(encoded: Encoded): Decoded<T> {
  const bytes = Buffer.from(encoded.b64, 'base64');
  const Type = TYPES[encoded.dtype];
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return { data: new Type(copy.buffer, 0, bytes.length / Type.BYTES_PER_ELEMENT) as T, shape: encoded.shape };
}

export interface GoldenFile<C> {
  generator: string;
  torch: string;
  seed: number;
  cases: C[];
}

export function loadGolden<C>(name: string): GoldenFile<C> {
  return JSON.parse(readFileSync(new URL(`../golden/${name}.json`, import.meta.url), 'utf8')) as GoldenFile<C>;
}
