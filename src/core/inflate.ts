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
  const stream = new Blob([deflated]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
