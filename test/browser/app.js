// The browser test app: imports the package by its name, as a user's app would, and exposes the
// golden runner to the test. Bundled by Vite, esbuild and webpack 5, each with no configuration.
import * as xentropy from 'xentropy';
import { fetchGolden, runGolden } from './golden-runner.js';

window.xentropyTest = async (options) => {
  await xentropy.init(options);
  const golden = await fetchGolden('/test/golden/');
  return { build: xentropy.wasmBuild(), results: runGolden(xentropy, golden) };
};
window.xentropyReady = true;
