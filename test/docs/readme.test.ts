// Every ```js example of the README runs against the built package (the entry Node takes), and each `// → …`
// comment states what the line before it prints.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = new URL('../.readme-examples/', import.meta.url);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each(blocks.map((code, i) => [i + 1, code] as const))(
  'README example %i prints what its comments say',
  async (i, code) => {
    const printed: string[] = [];
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
    const source = code
      .replace("from 'xentropy/tfjs'", `from '${new URL('../../dist/adapters/tfjs.js', import.meta.url).href}'`)
      .replace(
        "from 'xentropy/onnxruntime'",
        `from '${new URL('../../dist/adapters/onnxruntime.js', import.meta.url).href}'`,
      )
      // the ONNX example's model: the small causal LM of test/models/
      .replace(
        "readFileSync('model.onnx')",
        `readFileSync(${JSON.stringify(new URL('../models/tiny-lm.onnx', import.meta.url).pathname)})`,
      )
      .replace("from 'xentropy'", `from '${new URL('../../dist/index.node.js', import.meta.url).href}'`)
      .replaceAll('console.log(', 'globalThis.__print(');
    (globalThis as unknown as { __print: (...a: unknown[]) => void }).__print = (...args) =>
      printed.push(args.map(String).join(' '));
    const file = new URL(`example-${i}.mjs`, dir);
    writeFileSync(file, source);
    await import(file.href);
    expect(printed).toEqual(expected);
  },
);
