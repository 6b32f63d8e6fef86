// The entries besides the browser's dist/index.js, built after it:
// - dist/index.node.js, for Node, Bun and Deno (the exports map's "node" condition): the same source bundled without
//   minifying, so that an uncaught error prints a short source line and stack frames that name our functions
//   (crossEntropy, not Oe). Its lazily imported modules are the browser entry's own chunks in dist/wasm/ (each
//   build's embedded module, the base64 decoder, the thread pool's start-up), so that the package holds each build
//   once.
// - dist/adapters/tfjs.js and onnxruntime.js, which import the package by its name: they then share the instance
//   that the user's `import 'xentropy'` gets, whichever entry that is.
import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const chunks = readdirSync(new URL('dist/wasm/', root)).filter((f) => f.endsWith('.js'));
/** The browser build's chunk for a source module: dist/wasm/<name>-<hash>.js. */
function chunkOf(path) {
  const name = basename(path, '.js');
  const found = chunks.filter((f) => f.slice(0, f.lastIndexOf('-')) === name);
  if (found.length !== 1) throw new Error(`build-node-entry: ${found.length} chunks named ${name} in dist/wasm/`);
  return `./wasm/${found[0]}`;
}

const sharedChunks = {
  name: 'shared-chunks',
  setup(b) {
    // the dynamic imports of src/ (src/generated/builds.ts, src/core/instance.ts and threads.ts)
    b.onResolve(
      { filter: /^\.\/(simd|relaxed-simd|scalar|threads|relaxed-threads|embedded-bytes|thread-start|async-loop)\.js$/ },
      (args) => (args.kind === 'dynamic-import' ? { path: chunkOf(args.path), external: true } : undefined),
    );
  },
};

/** The adapter's import of the entry, as the package's own name. */
const byName = {
  name: 'by-name',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: 'xentropy', external: true }));
  },
};

/** src/<entry>.ts bundled, unminified, to dist/<outfile>. */
const bundle = (entry, outfile, options) =>
  build({
    entryPoints: [new URL(`src/${entry}.ts`, root).pathname],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: new URL(`dist/${outfile}`, root).pathname,
    logLevel: 'warning',
    ...options,
  });

await bundle('adapters/tfjs', 'adapters/tfjs.js', { external: ['@tensorflow/tfjs-core'], plugins: [byName] });
await bundle('adapters/onnxruntime', 'adapters/onnxruntime.js', { external: ['protobufjs'], plugins: [byName] });
await bundle('index', 'index.node.js', { plugins: [sharedChunks] });
