// The published package, checked as a user's tools see it: publint (package.json against the files), and
// Are the Types Wrong (the declarations under every module resolution). The tarball is packed without running
// `prepare` (npm test has just built dist/). attw's CJSResolvesToESM is expected: Node ≥ 20.19 can require()
// an ES module, which test/runtime/commonjs.test.ts checks. Run by `npm test`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'xentropy-pack-'));
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });
try {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { encoding: 'utf8' }),
  );
  const tarball = join(dir, packed[0].filename);
  const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
  run(bin('publint'), ['--strict']);
  run(bin('attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'table-flipped']);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
