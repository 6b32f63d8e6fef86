// The API reference's source: every public function's TSDoc has @param for each parameter, @returns, @throws (where
// it can throw), an @example and a @group; and every example runs against the built package, each `// → …`
// comment stating what the line before it prints.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import * as xentropy from '../../src/index.js';

const entry = new URL('../../src/index.ts', import.meta.url).pathname;
const program = ts.createProgram([entry], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext });
const checker = program.getTypeChecker();
const module = checker.getSymbolAtLocation(program.getSourceFile(entry) as ts.SourceFile) as ts.Symbol;

/** Each exported function: its name, its declaration (the implementation's, which carries the docs), its tags. */
const functions = checker
  .getExportsOfModule(module)
  .map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol))
  .filter((symbol) => symbol.flags & ts.SymbolFlags.Function)
  .map((symbol) => {
    const declaration = (symbol.declarations ?? []).find(ts.isFunctionDeclaration) as ts.FunctionDeclaration;
    const tags = ts.getJSDocTags(declaration);
    return { name: symbol.name, declaration, tags };
  });
const tagged = (tags: readonly ts.JSDocTag[], name: string) => tags.filter((t) => t.tagName.text === name);
const text = (tag: ts.JSDocTag) => ts.getTextOfJSDocComment(tag.comment) ?? '';

// functions that cannot throw for their arguments (no arguments, or none they check)
const NEVER_THROW = new Set(['wasmBuild', 'wasmThreads', 'wasmMemoryBytes', 'release']);

describe('every public function is documented', () => {
  it('finds them all: every function the package exports is declared as a function', () => {
    const exported = Object.keys(xentropy).filter(
      (k) => typeof (xentropy as Record<string, unknown>)[k] === 'function',
    );
    expect(functions.map((f) => f.name).sort()).toEqual(exported.sort());
  });

  it.each(functions.map((f) => [f.name, f] as const))('%s', (name, { declaration, tags }) => {
    const params = declaration.parameters.map((p) => p.name.getText());
    const documented = tagged(tags, 'param').map((t) => (t as ts.JSDocParameterTag).name.getText());
    expect(documented, `${name}: @param for each parameter, in order`).toEqual(params);
    for (const t of tagged(tags, 'param')) expect(text(t).length, `${name}: @param text`).toBeGreaterThan(10);
    expect(tagged(tags, 'returns'), `${name}: @returns`).toHaveLength(1);
    if (!NEVER_THROW.has(name)) expect(tagged(tags, 'throws').length, `${name}: @throws`).toBeGreaterThan(0);
    expect(tagged(tags, 'example'), `${name}: @example`).toHaveLength(1);
    expect(tagged(tags, 'group'), `${name}: @group`).toHaveLength(1);
  });
});

// Each example, with every export in scope, after `await init()`.
const examples = functions.map(({ name, tags }) => {
  const body = tagged(tags, 'example').map(text)[0] ?? '';
  return [name, body.replace(/^```ts\n|```\s*$/g, '')] as const;
});
const dir = new URL('../.api-examples/', import.meta.url);
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every example prints what its comments say', () => {
  it.each(examples)('%s', async (name, code) => {
    const printed: string[] = [];
    const expected = [...code.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
    expect(expected.length, `${name}: an example that prints`).toBeGreaterThan(0);
    const pkg = new URL('../../dist/index.node.js', import.meta.url).href;
    const names = functions.map((f) => f.name).join(', ');
    const body = code.replaceAll('console.log(', 'globalThis.__print(');
    const source = `import * as xentropy from '${pkg}';\nconst { ${names} } = xentropy;\nawait init();\n${body}`;
    (globalThis as unknown as { __print: (...a: unknown[]) => void }).__print = (...args) =>
      printed.push(args.map(String).join(' '));
    const file = new URL(`${name}.mjs`, dir);
    writeFileSync(file, source);
    await import(file.href);
    expect(printed).toEqual(expected);
  });
});
