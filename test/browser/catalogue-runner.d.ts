export function toBase64(view: ArrayBufferView): string;
export function fromBase64<T>(
  text: string,
  Type: { new (buffer: ArrayBuffer, offset: number, length: number): T; BYTES_PER_ELEMENT: number },
): T;
export function toWire(value: unknown): unknown;
export function fromWire(value: unknown): unknown;
export function numbersIn(result: unknown): Float64Array;
export function runCall(lib: unknown, call: { name: string; args: unknown[]; options?: object }): Float64Array;
export function runWireCalls(lib: unknown, calls: unknown[]): Record<string, Float64Array>;
