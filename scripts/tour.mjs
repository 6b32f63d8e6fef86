// `npm start` (for now) and `npm run tour`: a short terminal tour that reproduces, with the library,
// the worked numbers of a cross-entropy primer. Every number printed is computed by xentropy.
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogitsWithGrad,
  crossEntropy,
  entropy,
  init,
  klDiv,
  logSoftmax,
  mseLossWithGrad,
  nllLoss,
  sigmoid,
  softmax,
  wasmBuild,
} from '../dist/index.js';

await init();
const f = (x, digits = 4) => x.toFixed(digits);
const t1 = (values) => ({ data: Float64Array.from(values), shape: [values.length] });
const log = console.log;

log(`xentropy tour — WebAssembly build: ${wasmBuild()}\n`);

// 1. Three classes, the true class is "cat"; the model predicts [0.7, 0.2, 0.1].
const classes = ['cat', 'dog', 'bird'];
const predicted = [0.7, 0.2, 0.1];
const logProbabilities = t1(predicted.map(Math.log));
const cat = { data: [0], shape: [] };
log('1. Three classes, target "cat"');
log(`   prediction ${classes.map((c, i) => `${c} ${predicted[i]}`).join(', ')}`);
log(`   nllLoss(log p)            = ${f(nllLoss(logProbabilities, cat))}`);
const backAgain = Array.from(softmax(logProbabilities).data, (p) => f(p, 1)).join(', ');
log(
  `   crossEntropy(logits)      = ${f(crossEntropy(logProbabilities, cat))}   ` +
    `(logits log p: the softmax gives back [${backAgain}])`,
);
log(`   −log 0.7                  = ${f(-Math.log(0.7))}\n`);

// 2. Binary cross-entropy: confident and right is cheap, confident and wrong is dear.
log('2. Binary cross-entropy for a prediction p = P(y = 1)');
log('   p       y = 1     y = 0');
for (const p of [0.99, 0.01]) {
  const [ifOne, ifZero] = [1, 0].map((y) => binaryCrossEntropy(t1([p]), t1([y])));
  log(`   ${f(p, 2)}    ${f(ifOne).padStart(6)}    ${f(ifZero).padStart(6)}`);
}
log(`   (−log 0.99 = ${f(-Math.log(0.99))}, −log 0.01 = ${f(-Math.log(0.01))})\n`);

// 3. Surprise, entropy and KL: H(p, q) = H(p) + KL(p‖q).
const p = [0.7, 0.2, 0.1];
const q = [0.4, 0.4, 0.2];
const hp = entropy(t1(p)).data[0];
const kl = klDiv(t1(q.map(Math.log)), t1(p), { reduction: 'sum' });
const hpq = crossEntropy(t1(q.map(Math.log)), t1(p), { reduction: 'sum' });
log('3. The true p = [0.7, 0.2, 0.1] and a model q = [0.4, 0.4, 0.2]');
log(`   H(p) = ${f(hp)}   KL(p‖q) = ${f(kl)}   H(p, q) = ${f(hpq)} = H(p) + KL(p‖q) = ${f(hp + kl)}\n`);

// 4. The gradient at the logit z with p = σ(z) = 0.001 and y = 1.
const z = Math.log(0.001 / 0.999);
const y1 = t1([1]);
const ce = binaryCrossEntropyWithLogitsWithGrad(t1([z]), y1);
const s = sigmoid(t1([z])).data[0];
// ½(σ − y)² with mseLoss: its gradient w.r.t. σ (gradOutput ½ of 2(σ − y)) times dσ/dz = σ(1 − σ)
const mse = mseLossWithGrad(t1([s]), y1, { gradOutput: 0.5 });
const mseGrad = mse.grad.data[0] * s * (1 - s);
log('4. The vanishing gradient: p = σ(z) = 0.001 but y = 1 (the model is badly wrong)');
log(`   cross-entropy:  ∂L/∂z = p − y          = ${ce.grad.data[0].toFixed(6)}`);
log(`   MSE via σ:      ∂L/∂z = (p − y)·p(1 − p) = ${mseGrad.toFixed(6)}`);
log(`   cross-entropy pushes ${f(ce.grad.data[0] / mseGrad, 0)}× harder exactly where the model is most wrong.`);

// 5. The third lesson: pass raw logits, never softmax first.
log('\n5. Pass raw logits, never softmax first');
const meant = crossEntropy({ data: Float64Array.from(predicted.map(Math.log)), shape: [1, 3] }, [0]);
const warn = console.warn;
let said = '(no warning: init({ warnings: false }))';
console.warn = (message) => {
  said = message;
};
const twice = crossEntropy({ data: Float64Array.from(predicted), shape: [1, 3] }, [0]);
console.warn = warn;
log(`   crossEntropy(probabilities [0.7, 0.2, 0.1]) = ${f(twice)}   (the softmax is applied a second time)`);
log(`   crossEntropy(logits log p)                  = ${f(meant)}   (= −log 0.7, the loss that was meant)`);
log(`   and the library says:\n     ${said.replace(/(.{1,100})(\s|$)/g, '$1\n     ').trimEnd()}`);
const big = [1000, 0, -1000];
const textbook = big.map((v) => Math.log(Math.exp(v) / big.reduce((sum, u) => sum + Math.exp(u), 0)));
log('   logits [1000, 0, −1000]:');
log(`     log(softmax(x)), the textbook way in JS = [${textbook.join(', ')}]`);
log(
  `     logSoftmax(x)                           = [${Array.from(logSoftmax(t1(big)).data, (v) => f(v, 1)).join(', ')}]`,
);
