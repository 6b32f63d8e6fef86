// xentropy: cross-entropy losses with torch.nn.functional semantics, in WebAssembly. Public re-exports only.

export { binaryCrossEntropy, binaryCrossEntropyWithGrad } from './bindings/binary-cross-entropy.js';
export {
  binaryCrossEntropyWithLogits,
  binaryCrossEntropyWithLogitsWithGrad,
} from './bindings/binary-cross-entropy-with-logits.js';
export { crossEntropy, crossEntropyWithGrad } from './bindings/cross-entropy.js';
export { ctcBeamSearch, ctcForcedAlign, ctcGreedyDecode } from './bindings/ctc-decode.js';
export { ctcLoss, ctcLossWithGrad } from './bindings/ctc-loss.js';
export { distillKlDiv, distillKlDivWithGrad } from './bindings/distill-kl-div.js';
export { entropy } from './bindings/entropy.js';
export { jsd, jsdWithGrad } from './bindings/jsd.js';
export { klDiv, klDivWithGrad } from './bindings/kl-div.js';
export { linearCrossEntropy, linearCrossEntropyWithGrad } from './bindings/linear-cross-entropy.js';
export { linearDistillKlDiv, linearDistillKlDivWithGrad } from './bindings/linear-distill-kl-div.js';
export { linearJsd, linearJsdWithGrad } from './bindings/linear-jsd.js';
export {
  linearPerplexity,
  linearScore,
  linearScoreAsync,
  linearSoftmaxEntropy,
  linearTokenLogProbs,
  linearTopK,
} from './bindings/linear-scoring.js';
export { linearTvd, linearTvdWithGrad } from './bindings/linear-tvd.js';
export { logSigmoid } from './bindings/log-sigmoid.js';
export { logSoftmax } from './bindings/log-softmax.js';
export { logSumExp } from './bindings/log-sum-exp.js';
export { meanDivisor } from './bindings/mean-divisor.js';
export { mseLoss, mseLossWithGrad } from './bindings/mse-loss.js';
export { nllLoss, nllLossWithGrad } from './bindings/nll-loss.js';
export { perplexity } from './bindings/perplexity.js';
export { sigmoid } from './bindings/sigmoid.js';
export { sigmoidFocalLoss, sigmoidFocalLossWithGrad } from './bindings/sigmoid-focal-loss.js';
export {
  huberLoss,
  huberLossWithGrad,
  l1Loss,
  l1LossWithGrad,
  smoothL1Loss,
  smoothL1LossWithGrad,
} from './bindings/smooth-l1-loss.js';
export { softmax } from './bindings/softmax.js';
export { softmaxEntropy } from './bindings/softmax-entropy.js';
export { tokenLogProbs } from './bindings/token-log-probs.js';
export { topK } from './bindings/top-k.js';
export { tvd, tvdWithGrad } from './bindings/tvd.js';
export { allocTensor } from './runtime/alloc-tensor.js';
export { init, release, wasmBuild, wasmMemoryBytes, wasmThreads } from './runtime/init.js';
export type {
  BinaryCrossEntropyOptions,
  BinaryCrossEntropyWithLogitsOptions,
  BroadcastWeight,
  CrossEntropyGradOptions,
  CrossEntropyOptions,
  CtcAlignment,
  CtcBeamSearchOptions,
  CtcForcedAlignOptions,
  CtcGreedyDecodeOptions,
  CtcGreedyDecoding,
  CtcHypothesis,
  CtcLossOptions,
  CtcTokenSpan,
  DimOptions,
  DimsTensor,
  DistillGradOptions,
  DistillKlDivOptions,
  DistillOptions,
  Exactly,
  Float16ArrayIfDeclared,
  FloatArray,
  GradOptions,
  HuberLossOptions,
  IndexArray,
  IndexTarget,
  InitOptions,
  JsdOptions,
  KlDivOptions,
  L1LossOptions,
  LinearCrossEntropyGradOptions,
  LinearCrossEntropyOptions,
  LinearCrossEntropyWithGrad,
  LinearDistillKlDivOptions,
  LinearDistillOptions,
  LinearDistillWithGrad,
  LinearJsdOptions,
  LinearPerplexityOptions,
  LinearScoreAsyncOptions,
  LinearScoreOptions,
  LinearScores,
  LinearScoringOptions,
  LinearTokenScoringOptions,
  LinearTopKOptions,
  LinearTvdOptions,
  LogSumExpOptions,
  LossFunction,
  LossOutput,
  LossTarget,
  LossWithGrad,
  LossWithGradFunction,
  MeanDivisorOptions,
  MseLossOptions,
  NllLossOptions,
  NoOptions,
  NoReduction,
  OrtTensor,
  PerplexityOptions,
  ProbabilityTarget,
  ReducibleOptions,
  Reduction,
  ReductionOf,
  ResidentArray,
  ResidentArrayConstructor,
  ScoreName,
  ScoringTensor,
  SigmoidFocalLossOptions,
  SmoothL1LossOptions,
  SoftmaxOptions,
  TargetKind,
  TeacherHead,
  TeacherTopK,
  TemperatureOptions,
  Tensor,
  TensorLike,
  TokenScoringOptions,
  TokenTarget,
  TopK,
  TopKOptions,
  TvdOptions,
  WasmBuild,
  WasmTensor,
} from './types.js';
