// The browser test app: imports the package by its name, as a user's app would, and exposes the
// golden and catalogue runner to the test. Bundled by Vite, esbuild and webpack 5, each with no configuration.
import * as xentropy from 'xentropy';
import { runAll } from './golden-runner.js';

window.xentropyTest = async (options) => {
  await xentropy.init(options);
  return { build: xentropy.wasmBuild(), results: await runAll(xentropy) };
};
window.xentropyReady = true;
