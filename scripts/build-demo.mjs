// Builds the demo page with Vite (demo/vite.config.js) into demo/dist, or into `outDir` (so that two test files
// can build it at once); dist/ must be built first. Resolves to the folder.
import { build } from 'vite';

export async function buildDemo(outDir = new URL('../demo/dist/', import.meta.url).pathname) {
  await build({ configFile: new URL('../demo/vite.config.js', import.meta.url).pathname, build: { outDir } });
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) await buildDemo();
