// Installs runtimes/ (Node 22, 24 and 26, Bun, Deno from npm: the runtimes test/runtime/runtimes.test.ts runs the
// golden slice on) when this repository itself is being installed (`npm ci` / `npm install` here), not when it is
// built as someone's git dependency. Runtimes that cannot be installed are reported; CI then fails the test.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const here = process.env.INIT_CWD ? realpathSync(process.env.INIT_CWD) : root;
if (here !== root || process.env.XENTROPY_SKIP_RUNTIMES === '1') process.exit(0);
const npm = process.env.npm_execpath;
const [command, args] = npm ? [process.execPath, [npm]] : ['npm', []];
const result = spawnSync(
  command,
  [...args, 'ci', '--prefix', 'runtimes', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'],
  { cwd: root, stdio: 'inherit' },
);
if (result.status !== 0) console.warn('xentropy: runtimes/ was not installed; the runtime matrix test will say so');
