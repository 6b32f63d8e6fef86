// Fails when a source line is longer than 120 characters (Biome formats what it can; strings, comments and the
// AssemblyScript sources, which Biome does not read, are held here). Run by `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const MAX = 120;
const ROOTS = ['assembly', 'src', 'test', 'reference', 'bench', 'scripts', 'demo'];
const SKIP = new Set(['node_modules', 'dist', 'generated', '.build', '.readme-examples', 'models', 'golden']);
const EXTENSIONS = /\.(ts|mjs|js|py|html|css)$/;

const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    return statSync(path).isDirectory() ? files(path) : EXTENSIONS.test(name) ? [path] : [];
  });

const long = ROOTS.flatMap(files).flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => ([...line].length > MAX ? [`${file}:${i + 1} (${[...line].length})`] : [])),
);
if (long.length > 0) {
  console.error(`lines over ${MAX} characters:\n${long.join('\n')}`);
  process.exit(1);
}
