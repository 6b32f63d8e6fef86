// Inflates the deflated (zlib) builds: Node's zlib where the runtime offers it synchronously
// (process.getBuiltinModule, Node ≥ 20.16), otherwise the DecompressionStream of browsers, Deno, Bun and Node.
// Loaded with the embedded builds only (see embedded-bytes.ts); runtime.ts asks canInflate on its own.

type Zlib = { inflateSync(data: Uint8Array): Uint8Array<ArrayBuffer> };
const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;

// loaded only when a build is inflated: loading zlib took a few ms of a cold start
const nodeZlib = (): Zlib | undefined =>
  typeof node?.getBuiltinModule === 'function' ? (node.getBuiltinModule('node:zlib') as Zlib) : undefined;

/** The bytes that `deflated` (zlib format) holds. */
export async function inflate(deflated: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const zlib = nodeZlib();
  if (zlib) return zlib.inflateSync(deflated);
  const reader = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate')).getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    length += r.value.length;
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
