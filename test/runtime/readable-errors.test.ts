// An uncaught error from the package, in Node, prints a short source line and stack frames that name our
// functions: the exports map's "node" condition gives Node, Bun and Deno an entry that is not minified
// (dist/index.node.js; browsers keep the minified one and its download budget). That entry imports the browser
// entry's own chunks, so the package holds each build once.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { inProject } from '../helpers/project.js';

const dist = new URL('../../dist/', import.meta.url);
// the repro: a class index out of range, at the top level of a user's module
const SCRIPT = `import { init, crossEntropy } from 'xentropy';
await init();
crossEntropy({ data: new Float32Array(6), shape: [2, 3] }, [0, 5]);
`;

/** What Node prints for the script's uncaught error. */
const printed = () =>
  inProject((cwd) => {
    writeFileSync(join(cwd, 'repro.mjs'), SCRIPT);
    return spawnSync(process.execPath, ['repro.mjs'], { cwd, encoding: 'utf8' }).stderr;
  });

it('an uncaught error prints a short source line and frames that name the functions', () => {
  const stderr = printed();
  const [context] = stderr.split('RangeError: ');
  console.log(`printed: ${stderr.length} bytes, of them ${context.length} of source context`);
  expect(context.length, context.slice(0, 300)).toBeLessThan(300);
  expect(stderr).toMatch(/RangeError: crossEntropy: target\[1\] = 5 is out of range/);
  expect(stderr).toMatch(/at crossEntropy \(/);
  expect(stderr).toMatch(/index\.node\.js/);
  expect(stderr.length).toBeLessThan(1500);
});

it('the Node entry imports the browser entry chunks: each build is in the package once', () => {
  const imported = (file: string) =>
    [...readFileSync(new URL(file, dist), 'utf8').matchAll(/import\("\.\/wasm\/([\w-]+\.js)"\)/g)].map((m) => m[1]);
  const chunks = readdirSync(new URL('wasm/', dist)).filter((f) => f.endsWith('.js'));
  expect(new Set(imported('index.node.js'))).toEqual(new Set(imported('index.js')));
  expect(new Set(imported('index.js'))).toEqual(new Set(chunks));
});
