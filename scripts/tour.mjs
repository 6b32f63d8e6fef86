// `npm start`: a short terminal tour that reproduces, with the library, the worked numbers of a
// cross-entropy primer. Every number printed is computed by xentropy, not typed in.
import { crossEntropy, crossEntropyWithGrad, init, softmax, wasmBuild } from '../dist/index.js';

await init();
const f = (x, digits = 4) => x.toFixed(digits);
const log = console.log;

log(`xentropy tour — WebAssembly build: ${wasmBuild()}\n`);

// 1. Three classes, the true class is "cat"; the model predicts [0.7, 0.2, 0.1].
// Logits log p reproduce p exactly through the softmax, so the loss is −log p(cat).
const classes = ['cat', 'dog', 'bird'];
const predicted = [0.7, 0.2, 0.1];
const logits = { data: Float64Array.from(predicted, Math.log), shape: [3] };
const catLoss = crossEntropy(logits, { data: [0], shape: [] });
log('1. Three classes, target "cat"');
log(`   prediction ${classes.map((c, i) => `${c} ${predicted[i]}`).join(', ')}`);
log(`   softmax of the logits: [${Array.from(softmax(logits).data, (p) => f(p, 3)).join(', ')}]`);
log(`   crossEntropy = ${f(catLoss)}   (−log 0.7 = ${f(-Math.log(0.7))})\n`);

// 2. Binary outcomes as two classes [not, is]: confident and right is cheap, confident and wrong is dear.
log('2. Binary cross-entropy, loss for each prediction p = P(y = 1)');
log('   p       y = 1     y = 0');
for (const p of [0.99, 0.01]) {
  const twoClass = { data: Float64Array.from([Math.log(1 - p), Math.log(p)]), shape: [1, 2] };
  const [ifOne, ifZero] = [1, 0].map((y) => crossEntropy(twoClass, [y]));
  log(`   ${f(p, 2)}    ${f(ifOne).padStart(6)}    ${f(ifZero).padStart(6)}`);
}
log(`   (−log 0.99 = ${f(-Math.log(0.99))}, −log 0.01 = ${f(-Math.log(0.01))})\n`);

// 3. The gradient at the logit z of a sigmoid unit with p = σ(z) = 0.001 and y = 1: a two-class softmax
// over [0, z] has p = σ(z), so crossEntropyWithGrad's gradient w.r.t. z is ∂L/∂z = p − y.
const p = 0.001;
const z = Math.log(p / (1 - p));
const { loss, grad } = crossEntropyWithGrad({ data: Float64Array.from([0, z]), shape: [1, 2] }, [1]);
const sigma = softmax({ data: Float64Array.from([0, z]), shape: [2] }).data[1];
// MSE on the probability, ½(p − y)², through the sigmoid: ∂/∂z = (p − y)·p(1 − p).
const mseGrad = (sigma - 1) * sigma * (1 - sigma);
log('3. The vanishing gradient: p = σ(z) = 0.001 but y = 1 (the model is badly wrong)');
log(`   cross-entropy: loss ${f(loss)}, ∂L/∂z = p − y          = ${grad.data[1].toFixed(6)}`);
log(`   MSE via sigmoid:  ∂L/∂z = (p − y)·p(1 − p) = ${mseGrad.toFixed(6)}`);
log(`   cross-entropy pushes ${f(grad.data[1] / mseGrad, 0)}× harder exactly where the model is most wrong.`);
