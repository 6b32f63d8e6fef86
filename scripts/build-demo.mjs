// Builds the demo page into demo/dist with Vite (demo/vite.config.js); dist/ must be built first.
import { build } from 'vite';

export async function buildDemo() {
  await build({ configFile: new URL('../demo/vite.config.js', import.meta.url).pathname });
  return new URL('../demo/dist/', import.meta.url).pathname;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDemo();
