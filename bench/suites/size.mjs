// What a browser downloads to run xentropy: gzipped bytes of the package's entry and of each build's file and
// module (dist/), and of a minimal app (`init` + one crossEntropy) bundled by Vite, esbuild and webpack 5 with no
// configuration, counting what a page running the SIMD build fetches: the app's entry chunk and the SIMD build,
// as the .wasm file the bundler copied (Vite, webpack) or as its module (esbuild, which copies no file).
// `npm run bench:size`; writes bench/results/size/RESULTS.md.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { writeReport } from '../lib/report.mjs';

const root = new URL('../../', import.meta.url).pathname;
const work = new URL('../../build/size-app/', import.meta.url).pathname;
const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

const dist = `${root}dist/`;
const chunk = (dir, prefix) => readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.js'));
const builds = ['simd', 'relaxed-simd', 'threads', 'relaxed-threads', 'scalar'];
const lines = ['| module | gzipped |', '| --- | ---: |', `| entry (dist/index.js) | ${kb(gz(`${dist}index.js`))} |`];
const wasmFiles = {
  simd: 'simd',
  'relaxed-simd': 'relaxed',
  threads: 'threads',
  'relaxed-threads': 'relaxed-threads',
  scalar: 'scalar',
};
for (const b of builds) {
  const file = `wasm/${chunk(`${dist}wasm/`, `${b}-`)}`;
  const wasm = `wasm/xentropy.${wasmFiles[b]}.wasm`;
  const sizes = `${kb(gz(`${dist}${wasm}`))} / ${kb(gz(`${dist}${file}`))}`;
  lines.push(`| ${b} build, file (dist/${wasm}) / module (dist/${file}) | ${sizes} |`);
}
const packageSimd =
  gz(`${dist}index.js`) +
  Math.max(gz(`${dist}wasm/xentropy.simd.wasm`), gz(`${dist}wasm/${chunk(`${dist}wasm/`, 'simd-')}`));

rmSync(work, { recursive: true, force: true });
mkdirSync(`${work}app/node_modules`, { recursive: true });
symlinkSync(root, `${work}app/node_modules/xentropy`, 'dir');
writeFileSync(
  `${work}app/main.js`,
  `import { crossEntropy, init } from 'xentropy';
await init();
document.body.textContent = crossEntropy({ data: new Float32Array([2, 1, 0.1]), shape: [1, 3] }, [0]).toFixed(4);
`,
);
writeFileSync(`${work}app/index.html`, '<!doctype html><script type="module" src="./main.js"></script>');
await viteBuild({
  root: `${work}app`,
  configFile: false,
  base: './',
  logLevel: 'silent',
  build: { outDir: `${work}vite` },
});
await esbuild.build({
  entryPoints: [`${work}app/main.js`],
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  outdir: `${work}esbuild`,
  logLevel: 'silent',
});
await new Promise((resolve, reject) =>
  webpack({ mode: 'production', entry: `${work}app/main.js`, output: { path: `${work}webpack` } }, (e, s) =>
    e || s.hasErrors() ? reject(e ?? new Error(s.toString('errors-only'))) : resolve(),
  ),
);

// Each build's chunk is told by a piece of its embedded bytes (webpack numbers its chunks).
const signature = (b) => {
  const source = readFileSync(`${root}src/generated/${b}.ts`, 'utf8');
  const end = source.lastIndexOf("'");
  return source.slice(end - 140, end - 40); // the stream's end: builds share their first sections' bytes
};
const signatures = Object.fromEntries(builds.map((b) => [b, signature(b)]));

const simdWasm = readFileSync(`${dist}wasm/xentropy.simd.wasm`);

/** The app's entry chunk (no build in it) and the SIMD build as the page fetches it, gzipped. */
function appSimd(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const holds = (f, b) => readFileSync(`${dir}/${f}`, 'utf8').includes(signatures[b]);
  const simd = files.filter((f) => holds(f, 'simd'));
  // the app's entry: Vite's index-*.js, esbuild's and webpack's main.js (the lazily loaded chunks are not)
  const entry = files.filter((f) => /^(index|main)\b/.test(f));
  if (simd.length !== 1 || entry.length !== 1) throw new Error(`${dir}: cannot tell the chunks apart (${files})`);
  // the copied .wasm file, which init fetches where the bundler copied it
  const copied = readdirSync(dir).find((f) => f.endsWith('.wasm') && readFileSync(`${dir}/${f}`).equals(simdWasm));
  return { entry: gz(`${dir}/${entry[0]}`), simd: gz(`${dir}/${copied ?? simd[0]}`), as: copied ? 'file' : 'module' };
}
const apps = [
  ['Vite', appSimd(`${work}vite/assets`)],
  ['esbuild (splitting, minify)', appSimd(`${work}esbuild`)],
  ['webpack 5 (production)', appSimd(`${work}webpack`)],
];
const appLines = ['| bundler | app entry | SIMD build | a SIMD page fetches |', '| --- | ---: | ---: | ---: |'];
for (const [name, s] of apps) {
  appLines.push(`| ${name} | ${kb(s.entry)} | ${kb(s.simd)} (its ${s.as}) | ${kb(s.entry + s.simd)} |`);
}

const text = `# Download sizes

\`npm run bench:size\`: gzipped (level 9) bytes. The package's entry and the SIMD build, as its file or its
module (the larger), come to **${kb(packageSimd)}** (target ≤ 68 KB; 45 KB before CTC, 51 KB before
distillation, 59 KB before its fused forms, 61 KB before the direct path of small calls, 63 KB before filterEps, 65 KB
before the softmax rows' faster loop, 66 KB before short rows side by side, 67 KB before their gradients side by
side);
each other build is a
file and a module of its own, fetched only when \`init\` chooses it.

${lines.join('\n')}

A minimal app (\`init\` and one \`crossEntropy\`), bundled with no configuration:

${appLines.join('\n')}
`;
writeReport('size', 'RESULTS.md', text);
console.log(text);
rmSync(work, { recursive: true, force: true });
