// @tensorflow/tfjs-core as the page's global `tf` (the union bundle tf.min.js, which holds core), so that
// xentropy/tfjs's ES module imports from it without a bundler: the import map of tfjs-adapter.html points here.
const { tf } = globalThis;
export const { backend, customGrad, engine, expandDims, losses, mul, reshape, scalar, tensor, Reduction } = tf;
