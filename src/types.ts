// Public types of xentropy. Implementations live in src/bindings/ (one public function per file) on src/core/.

/**
 * Float16Array where the TypeScript library declares it (lib ES2025 or esnext.float16, TypeScript ≥ 5.7), else never.
 * Engines: Node 24+, Chrome 135+, Firefox 129+, Safari 18.2+.
 */
export type Float16ArrayIfDeclared = typeof globalThis extends { Float16Array: { prototype: infer A } } ? A : never;

/**
 * The float arrays every function takes and returns; the output dtype is the input's. A Float16Array input is
 * computed in float32 and its results rounded to float16.
 */
export type FloatArray = Float32Array | Float64Array | Float16ArrayIfDeclared;

/** Arrays of class indices. */
export type IndexArray =
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | BigInt64Array
  | BigUint64Array
  | number[];

/** A row-major, contiguous n-dimensional array: `data.length` is the product of `shape`. */
export interface Tensor<T = FloatArray> {
  /** The values, row-major. */
  data: T;
  /** The dims; `[]` for a 0-dim tensor of one value. */
  shape: readonly number[];
}

/** How a loss over many elements is reduced, as in `torch.nn.functional`. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Which WebAssembly build runs the kernels. */
export type WasmBuild = 'relaxed-simd' | 'simd' | 'scalar';

/** init's options: the build, the threads, the warnings. */
export interface InitOptions {
  /**
   * `true` forces the SIMD build (an `Error` if the engine cannot run it), `false` forces the scalar
   * build; left out, the SIMD build is taken when `WebAssembly.validate` accepts it.
   */
  simd?: boolean;
  /**
   * With SIMD: `false` keeps the plain SIMD build, `true` requires the relaxed-SIMD one (fused
   * multiply-add; an `Error` where the engine cannot run it); left out, it is taken where
   * `WebAssembly.validate` accepts it (Chrome ≥ 114, Node ≥ 22).
   */
  relaxedSimd?: boolean;
  /**
   * Threads for big calls (at least 65,536 elements): 1 plus worker threads that share the rows, on the SIMD
   * or relaxed-SIMD build (as one thread would run, with its results). In Node, and in a cross-origin-isolated
   * Web Worker; elsewhere (a page's main thread, the scalar build) init warns and runs on one thread.
   * @defaultValue 1
   */
  threads?: number;
  /**
   * `false` silences the warnings about likely mistakes (`crossEntropy` given probabilities instead of logits,
   * `nllLoss` given values that are not log-probabilities); `true` turns them back on. Left out, unchanged.
   * @defaultValue true
   */
  warnings?: boolean;
}

/** The dim a function works along. */
export interface DimOptions {
  /** The dimension to reduce or normalise over; negative counts from the end. @defaultValue -1 */
  dim?: number;
}

/** softmax's and logSoftmax's options. */
export interface SoftmaxOptions<T extends FloatArray = FloatArray> extends DimOptions {
  /** Receives the result: the input's dtype and length; it may be `input.data` itself (in place). */
  out?: T;
}

/** logSumExp's options. */
export interface LogSumExpOptions extends DimOptions {
  /** Keep the reduced dimension with size 1. @defaultValue false */
  keepdim?: boolean;
  /**
   * `'float64'`: the result in float64 whatever the input's dtype (as torch's `dtype=` of its reductions): the
   * max plus the log of the float64 sum, not rounded to float32. What vocabulary shards exchange.
   */
  dtype?: 'float64';
}

/**
 * Class-index targets: a Tensor of integers shaped like the input without its class dim, a bare index array
 * (shape `[length]`), or a plain number (shape `[]`: the one target of an unbatched (C) input).
 */
export type IndexTarget = Tensor<IndexArray> | DimsTensor<IndexArray> | OrtTensor | IndexArray | number;

/** Probability targets: a Tensor of the input's shape and dtype. */
export type ProbabilityTarget<T extends FloatArray = FloatArray> = TensorLike<T>;

/** crossEntropy's options: PyTorch's, then the class dim, then the language-model options. */
export interface CrossEntropyOptions {
  /** A weight per class (length C). @defaultValue all ones */
  weight?: FloatArray | readonly number[];
  /**
   * Target value that is ignored (no loss, no gradient, not counted by 'mean'). Class-index targets only.
   * @defaultValue -100
   */
  ignoreIndex?: number;
  /** @defaultValue 'mean' */
  reduction?: Reduction;
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C, ε in [0, 1]. @defaultValue 0 */
  labelSmoothing?: number;
  /**
   * The class dim: 1 as in PyTorch ((N, C, d1, …, dk)), or −1 for classes last ((…, C), as [B, T, V]).
   * @defaultValue 1
   */
  classDim?: 1 | -1;
  // The language-model options below need class-index targets.
  /**
   * z-loss (PaLM; Liger-Kernel's `lse_square_scale`): adds s · lse² per row not ignored, lse = log Σ exp of the
   * row. 'mean' divides it by the number of rows counted (not by the weights). …WithGrad returns it as `zLoss`.
   */
  lseSquareScale?: number;
  /** Softcapping (Gemma 2): the logits become c · tanh(x / c) before the softmax, gradient through it. c > 0. */
  softcap?: number;
  /**
   * optax's safe_softmax_cross_entropy: a row of all −inf logits, and an ignored row, give loss 0 and gradient 0
   * instead of PyTorch's NaN. @defaultValue false
   */
  safe?: boolean;
  /**
   * With reduction 'sum': divides the loss and the gradient by this number, such as `meanDivisor` of the whole
   * batch, so that the shards of a data-parallel batch sum to the batch's 'mean'.
   */
  divisor?: number;
  /** With reduction 'sum': divides the z-loss by this instead of `divisor` (the count of rows, for 'mean'). */
  zLossDivisor?: number;
  /**
   * Vocabulary shards: the input holds columns [vocabStart, vocabStart + C) of the vocabulary; targets are
   * indices into the whole vocabulary, `weight` covers the whole vocabulary, and `lse` is required. The result is
   * the shard's share: the shards' losses sum to the whole loss and their gradients are its columns.
   */
  vocabStart?: number;
  /** The whole vocabulary's size, for a shard (label smoothing needs it; a whole-vocabulary weight gives it). */
  vocabSize?: number;
  /**
   * A shard's rows' log-sum-exp over the whole vocabulary: logSumExp of the shards' own log-sum-exps (one per
   * row, the input's dtype).
   */
  lse?: FloatArray | Tensor<FloatArray>;
}

/** crossEntropy's options that linearCrossEntropy takes too (weight per class: [V]), and its own. */
export interface LinearCrossEntropyOptions
  extends Pick<
    CrossEntropyOptions,
    'weight' | 'ignoreIndex' | 'reduction' | 'labelSmoothing' | 'lseSquareScale' | 'softcap'
  > {
  /** The linear layer's bias [V]. */
  linearBias?: FloatArray | readonly number[];
  /** Rows per chunk: chunk · V logits and their gradient are all the call holds. @defaultValue 32 MiB of each */
  chunkSize?: number;
}

/** linearCrossEntropyWithGrad's options besides linearCrossEntropy's. */
export interface LinearCrossEntropyGradOptions<T extends FloatArray = FloatArray> {
  /** A number for 'mean' and 'sum' (@defaultValue 1); a Tensor of the loss's shape for 'none'. */
  gradOutput?: number | Tensor<FloatArray | readonly number[]> | FloatArray | readonly number[];
  /** Receive the gradients (the input's dtype; no memory shared with the arguments). */
  gradInputOut?: T;
  /** Receives the weight's gradient (adds into it with `accumulate`). */
  gradWeightOut?: T;
  /** Receives the bias's gradient. */
  gradBiasOut?: T;
  /** Adds the weight's gradient into gradWeightOut (accumulation over micro-batches). @defaultValue false */
  accumulate?: boolean;
  /**
   * Gradient filtering, as Cut Cross-Entropy's: the backward products (gradInput, gradWeight) use only the logits'
   * gradient entries whose softmax value is at least this ε, with each row's target (and any entry that is not
   * finite); gradBias and the loss stay exact. In [0, 1]; 2⁻¹² is Cut Cross-Entropy's. Not with labelSmoothing.
   * @defaultValue 0 (exact)
   */
  filterEps?: number;
}

/** linearCrossEntropyWithGrad's result: the loss and the gradients of input, weight and bias. */
export interface LinearCrossEntropyWithGrad<T extends FloatArray = FloatArray> {
  /** The loss, as linearCrossEntropy returns it. */
  loss: number | Tensor<T>;
  /** ∂loss/∂input, of the input's shape. */
  gradInput: Tensor<T>;
  /** ∂loss/∂linearWeight, [V, d]. */
  gradWeight: Tensor<T>;
  /** With a linearBias. */
  gradBias?: Tensor<T>;
  /** With lseSquareScale. */
  zLoss?: number | Tensor<T>;
}

/** meanDivisor's options: crossEntropy's weight and ignoreIndex. */
export interface MeanDivisorOptions {
  /** A weight per class, as crossEntropy's. @defaultValue all ones */
  weight?: FloatArray | readonly number[];
  /** @defaultValue -100 */
  ignoreIndex?: number;
}

/** crossEntropyWithGrad's own options (besides gradOutput and out). */
export interface CrossEntropyGradOptions {
  /** Also return each row's log-sum-exp as `lse` (a Tensor of the loss's shape for 'none'). @defaultValue false */
  returnLse?: boolean;
  /** Add the gradient into `out` (accumulation over micro-batches) instead of writing over it. @defaultValue false */
  accumulate?: boolean;
}

/**
 * A tensor as onnxruntime-web/-node and transformers.js hold it: `dims` instead of `shape`. Accepted wherever a
 * Tensor is.
 */
export interface DimsTensor<T = FloatArray> {
  /** The values, row-major. */
  data: T;
  /** The dims. */
  dims: readonly number[];
}

/**
 * onnxruntime's `Tensor` (web and node) as its own types give it, `data` typed as any of its element types: taken
 * with no cast, its data checked when the call runs (floats for logits, integers for targets).
 */
export interface OrtTensor {
  /** The values, row-major: checked when the call runs. */
  readonly data: unknown;
  /** The dims. */
  readonly dims: readonly number[];
}

/**
 * A float tensor as every function takes it: a {@link Tensor}, a `{ data, dims }` tensor (onnxruntime,
 * transformers.js) or onnxruntime's own Tensor type, as `session.run()` returns it.
 */
export type TensorLike<T extends FloatArray = FloatArray> = Tensor<T> | DimsTensor<T> | OrtTensor;

/** Logits for the scoring functions: [V], [T, V] or [..., T, V], as any {@link TensorLike}. */
export type ScoringTensor<T extends FloatArray = FloatArray> = TensorLike<T>;

/** Token targets: class indices shaped like the logits without V, as a Tensor, a DimsTensor or a bare array. */
export type TokenTarget = IndexTarget;

/** The scoring functions' temperature. */
export interface TemperatureOptions {
  /** Divides the logits before the softmax: > 0 and finite. @defaultValue 1 */
  temperature?: number;
}

/** tokenLogProbs's and perplexity's options. */
export interface TokenScoringOptions extends TemperatureOptions {
  /** Target value that is not scored (0 in tokenLogProbs, left out of perplexity's mean). @defaultValue -100 */
  ignoreIndex?: number;
  /**
   * Scores logits[t] against target[t + 1], as a causal language model is trained: the last position of each
   * sequence is dropped. Needs a position dim ([T, V] or [..., T, V]). @defaultValue false
   */
  shift?: boolean;
}

/** topK's options. */
export interface TopKOptions extends TemperatureOptions {
  /**
   * Each row's own token (shaped like the logits without V): its log-probability comes back as `targetLogProbs`
   * from the same passes, as tokenLogProbs would give it (0 where it is ignoreIndex).
   */
  target?: TokenTarget;
  /** @defaultValue -100 */
  ignoreIndex?: number;
}

/** topK's result: the k best tokens per row, best first, and their log-probabilities; both of shape [..., k]. */
export interface TopK<T extends FloatArray = FloatArray> {
  /** The k best token ids of each row, best first. */
  indices: Tensor<Int32Array>;
  /** Their log-probabilities. */
  logProbs: Tensor<T>;
  /** With `target`: each row's own token's log-probability, shaped like the target. */
  targetLogProbs?: Tensor<T>;
}

/** perplexity's options: tokenLogProbs's, and how the mean is taken. */
export interface PerplexityOptions extends TokenScoringOptions {
  /**
   * 'tokens': exp of the mean −log p over every scored token of the batch (token-weighted, as
   * `exp(F.cross_entropy(…))`). 'sequences': the mean over sequences (each index of the dims before the position
   * dim) of each one's own perplexity, leaving out sequences with no scored token. @defaultValue 'tokens'
   */
  average?: 'tokens' | 'sequences';
}

/** The options of scoring from hidden states: the output layer's bias, its softcap and the chunks. */
export interface LinearScoringOptions extends TemperatureOptions {
  /** The output layer's bias [V] (the logits are input · linearWeightᵀ + linearBias). */
  linearBias?: FloatArray | readonly number[];
  /** c of Gemma's final-logit softcap c · tanh(z / c), applied before the temperature. @defaultValue none */
  softcap?: number;
  /** Rows of the input per chunk. @defaultValue as many as keep a chunk's scratch within 4 MiB (~260 at d = 896) */
  chunkSize?: number;
}

/** linearTokenLogProbs's options. */
export interface LinearTokenScoringOptions extends LinearScoringOptions, TokenScoringOptions {}

/** linearPerplexity's options. */
export interface LinearPerplexityOptions extends LinearScoringOptions, PerplexityOptions {}

/** linearTopK's options. */
export interface LinearTopKOptions extends LinearScoringOptions, TopKOptions {}

/** What linearScore can return, by name. */
export type ScoreName = 'tokenLogProbs' | 'targetRank' | 'accuracy' | 'perplexity' | 'topK' | 'entropy' | 'logSumExp';

/** linearScore's options. */
export interface LinearScoreOptions extends LinearScoringOptions, TokenScoringOptions {
  /** The tokens to score, shaped like the input without d: needed by tokenLogProbs, targetRank, accuracy and
   * perplexity. */
  target?: TokenTarget;
  /** How many of the most probable tokens per position: needed by topK. */
  k?: number;
  /** The results to compute. @defaultValue every one the options allow */
  outputs?: readonly ScoreName[];
}

/** linearScoreAsync's options: linearScore's, and how the call is steered while it runs. */
export interface LinearScoreAsyncOptions extends LinearScoreOptions {
  /** Aborts the call: it stops before its next kernel call (within one tile of one chunk), gives its WebAssembly
   * memory back and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called after each tile of the vocabulary with the logits scored so far and in all (rows · V). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * linearScore's result: the outputs asked for. Row t of each describes the prediction made at position t; with
 * `shift` the target's outputs are one position shorter per sequence (position t scored against target t + 1).
 */
export interface LinearScores<T extends FloatArray = FloatArray> {
  /** Each target token's log-probability (0 where ignored), shaped like the target (as tokenLogProbs). */
  tokenLogProbs?: Tensor<T>;
  /** Each target's rank: 1 + how many tokens rank before it in topK's order (0 where ignored). */
  targetRank?: Tensor<Int32Array>;
  /** Whether the most probable token is the target (1) or not (0), shaped like the target (0 where ignored). */
  correct?: Tensor<Uint8Array>;
  /** Token accuracy: the share of scored targets that are the most probable token (NaN when none is scored). */
  accuracy?: number;
  /** Token-weighted perplexity over the batch: exp of the mean −log p of every scored token (as perplexity). */
  perplexity?: number;
  /** The mean of each sequence's own perplexity (perplexity's average: 'sequences'). */
  sequencePerplexity?: number;
  /** The k most probable tokens of each position and their log-probabilities, [..., k] (as topK). */
  topK?: TopK<T>;
  /** The entropy of each position's distribution, in nats (as softmaxEntropy). */
  entropy?: Tensor<T>;
  /** Each position's log-sum-exp of the logits at the temperature: log Σ exp(z / temperature). */
  logSumExp?: Tensor<T>;
}

/** The options every …WithGrad takes: the upstream gradient, and where the gradient goes. */
export interface GradOptions<T extends FloatArray = FloatArray> {
  /**
   * Upstream gradient: a number for 'mean' and 'sum' (@defaultValue 1); for 'none' a Tensor of the
   * loss's shape (or a number applied to every element; @defaultValue ones).
   */
  gradOutput?: number | Tensor<FloatArray | readonly number[]> | FloatArray | readonly number[];
  /** Receives the gradient: the input's dtype and length. May be `input.data` itself (in place). */
  out?: T;
}

/** A loss and its gradient with respect to the input, from one fused call. */
export interface LossWithGrad<L, T extends FloatArray> {
  /** The loss, as the function without …WithGrad returns it. */
  loss: L;
  /** ∂(loss)/∂input with the input's shape and dtype (for 'none': of Σ gradOutput · loss). */
  grad: Tensor<T>;
  /** crossEntropyWithGrad with `lseSquareScale`: the z-loss, reduced as the loss (which includes it). */
  zLoss?: L;
  /** crossEntropyWithGrad with `returnLse`: each row's log-sum-exp, shaped like the per-row loss. */
  lse?: Tensor<T>;
}

/**
 * A float Tensor, a flat array of the input's element count or last-dim length, broadcast as in PyTorch, or a
 * plain number (a 0-dim tensor: the same value for every element).
 */
export type BroadcastWeight = number | FloatArray | readonly number[] | Tensor<FloatArray | readonly number[]>;

/** nllLoss's options. */
export interface NllLossOptions {
  /** A weight per class (length C). @defaultValue all ones */
  weight?: FloatArray | readonly number[];
  /** Target value that is ignored (no loss, no gradient, not counted by 'mean'). @defaultValue -100 */
  ignoreIndex?: number;
  /** @defaultValue 'mean' */
  reduction?: Reduction;
  /** The class dim: 1 as in PyTorch ((N, C, d1, …, dk)), or −1 for classes last ((…, C)). @defaultValue 1 */
  classDim?: 1 | -1;
}

/** binaryCrossEntropy's options. */
export interface BinaryCrossEntropyOptions {
  /** Rescales each element's loss; broadcast over the input. @defaultValue all ones */
  weight?: BroadcastWeight;
  /** @defaultValue 'mean' */
  reduction?: Reduction;
}

/** binaryCrossEntropyWithLogits's options. */
export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /**
   * Weight of the positive term, usually one per class (the last dim); broadcast over the input.
   * @defaultValue all ones
   */
  posWeight?: BroadcastWeight;
}

/** klDiv's options. */
export interface KlDivOptions {
  /**
   * 'batchmean' divides the sum by the size of the first dim: the mathematical KL divergence per sample.
   * @defaultValue 'mean'
   */
  reduction?: Reduction | 'batchmean';
  /** The target holds log-probabilities. @defaultValue false */
  logTarget?: boolean;
}

/** The options distillKlDiv, jsd and tvd share. */
export interface DistillOptions {
  /**
   * 'batchmean' averages each row's divergence over the rows that count (every row but the ignored ones: the
   * divergence per token); 'mean' divides the sum by every element that counts (rows × V, as PyTorch's kl_div
   * 'mean'); 'sum'; 'none' gives every element's term, shaped like the student.
   * @defaultValue 'batchmean'
   */
  reduction?: Reduction | 'batchmean';
  /** Both distributions are softmax(logits / temperature); a finite number > 0. @defaultValue 1 */
  temperature?: number;
  /**
   * The teacher holds log-probabilities (as an inference server returns them), not logits. Each row counted must sum
   * to at most 1 + 1e-4; the temperature applies to them as to logits.
   * @defaultValue false
   */
  teacherLogProbs?: boolean;
  /**
   * For a teacher given as its top k ({@link TeacherTopK}): how the tokens outside its k count. 'renormalize': both
   * distributions restricted to the k ids and renormalised; 'bucket': the rest as one more outcome, the teacher's
   * 1 − Σ p (computed without cancellation) against the student's own mass on every other token.
   * @defaultValue 'renormalize'
   */
  tail?: 'renormalize' | 'bucket';
  /**
   * One class label per row (rows: every dim but the last): a row whose label equals `ignoreIndex` counts nothing,
   * its loss and gradient 0 (padding, prompts). The others must be in [0, V).
   */
  labels?: IndexTarget;
  /** The label of rows that count nothing. @defaultValue -100 */
  ignoreIndex?: number;
  /**
   * Hard + soft in one pass, as Liger-Kernel's distillation base: the loss is weightHard · crossEntropy(student,
   * labels) (the untempered logits; a mean over the counted rows for 'mean' and 'batchmean') + weightSoft · the
   * divergence. A weightHard other than 0 needs `labels`, a dense teacher and a reduction to a number.
   * @defaultValue 0
   */
  weightHard?: number;
  /** The divergence's weight beside a hard loss. @defaultValue 1 */
  weightSoft?: number;
}

/**
 * A teacher given as its top k per row: as `topK` returns it, or the top log-probabilities an inference server sends.
 */
export interface TeacherTopK<T extends FloatArray = FloatArray> {
  /** Per row its k token ids [..., k]: integers in [0, V), distinct within a row (int32 or int64). */
  indices: IndexTarget;
  /** Their log-probabilities [..., k] (each row's probabilities summing to at most 1), in the student's dtype. */
  logProbs: TensorLike<T>;
}

/** distillKlDiv's options. */
export interface DistillKlDivOptions extends DistillOptions {
  /** 'forward': KL(teacher‖student), Hinton's; 'reverse': KL(student‖teacher). @defaultValue 'forward' */
  direction?: 'forward' | 'reverse';
}

/** jsd's options. */
export interface JsdOptions extends DistillOptions {
  /** The mixture's weight of the teacher, in [0, 1]: 0 gives KL(p‖q), 1 gives KL(q‖p). @defaultValue 0.5 */
  beta?: number;
}

/** tvd's options. */
export type TvdOptions = DistillOptions;

/** The …WithGrad of distillKlDiv, jsd and tvd: their own option besides gradOutput and out. */
export interface DistillGradOptions {
  /** Add the gradient into `out` (accumulation over micro-batches) instead of writing over it. @defaultValue false */
  accumulate?: boolean;
}

/**
 * A teacher given as its hidden states and its own output layer, for the fused distillation (linearDistillKlDiv,
 * linearJsd, linearTvd): its logits are input · linearWeightᵀ + linearBias, made a chunk at a time.
 */
export interface TeacherHead<T extends FloatArray = FloatArray> {
  /** The teacher's hidden states [..., d']: the student's leading dims, its own width d'. */
  input: TensorLike<T>;
  /** Its output layer's weight [V, d'] (the student's V). */
  linearWeight: TensorLike<T>;
  /** Its output layer's bias [V]. */
  linearBias?: T | readonly number[];
}

/** The options linearDistillKlDiv, linearJsd and linearTvd share: the divergences' own, and the student's head. */
export interface LinearDistillOptions extends DistillOptions {
  /** The student's output layer's bias [V]. */
  linearBias?: FloatArray | readonly number[];
  /** Rows per chunk: chunk · V values of each array the call holds. @defaultValue 32 MiB of each */
  chunkSize?: number;
}

/** linearDistillKlDiv's options. */
export interface LinearDistillKlDivOptions extends LinearDistillOptions, Pick<DistillKlDivOptions, 'direction'> {}

/** linearJsd's options. */
export interface LinearJsdOptions extends LinearDistillOptions, Pick<JsdOptions, 'beta'> {}

/** linearTvd's options. */
export type LinearTvdOptions = LinearDistillOptions;

/** The fused divergences' …WithGrad: their result, the loss and the gradients of the student's input, weight and
 * bias (the teacher is held fixed). */
export interface LinearDistillWithGrad<T extends FloatArray = FloatArray> {
  /** The loss, as the function without …WithGrad returns it. */
  loss: number | Tensor<T>;
  /** ∂loss/∂input, of the input's shape. */
  gradInput: Tensor<T>;
  /** ∂loss/∂linearWeight, [V, d]. */
  gradWeight: Tensor<T>;
  /** With a linearBias. */
  gradBias?: Tensor<T>;
}

/** mseLoss's options (and l1Loss's). */
export interface MseLossOptions {
  /** @defaultValue 'mean' */
  reduction?: Reduction;
}

/** `l1Loss`'s options. */
export type L1LossOptions = MseLossOptions;

/** huberLoss's options. */
export interface HuberLossOptions {
  /** @defaultValue 'mean' */
  reduction?: Reduction;
  /**
   * Where the loss turns from quadratic to linear; > 0.
   * @defaultValue 1
   */
  delta?: number;
}

/** smoothL1Loss's options. */
export interface SmoothL1LossOptions {
  /** @defaultValue 'mean' */
  reduction?: Reduction;
  /**
   * Where the loss turns from quadratic to linear; ≥ 0 (0 is the L1 loss, with PyTorch's gradient of its own).
   * @defaultValue 1
   */
  beta?: number;
}

/** sigmoidFocalLoss's options. */
export interface SigmoidFocalLossOptions {
  /**
   * Weight of the positive class, α; the negatives get 1 − α. A negative α disables the weighting.
   * @defaultValue 0.25
   */
  alpha?: number;
  /** The focusing exponent γ ≥ 0: (1 − p_t)^γ scales down easy examples. @defaultValue 2 */
  gamma?: number;
  /** As torchvision, the default is 'none'. @defaultValue 'none' */
  reduction?: Reduction;
}

/** ctcLoss's options. */
export interface CtcLossOptions {
  /** The blank's class, in [0, C). @defaultValue 0 */
  blank?: number;
  /** 'mean' divides each sequence's loss by its target length (at least 1), then averages. @defaultValue 'mean' */
  reduction?: Reduction;
  /** An infinite loss (a target its input cannot hold) counts 0, and its gradient is 0. @defaultValue false */
  zeroInfinity?: boolean;
  /**
   * The input holds logits: logSoftmax is applied along C first (and the gradient is the logits').
   * @defaultValue false
   */
  fromLogits?: boolean;
}

/** ctcForcedAlign's result. */
export interface CtcAlignment<T extends FloatArray = FloatArray> {
  /** Each frame's label: the blank or a target label. */
  labels: Int32Array;
  /** Each frame's log-probability of its label. */
  frameLogProbs: T;
  /** The path's log-probability: the sum of frameLogProbs. */
  score: number;
  /** One per target label: its frames and their mean probability, as torchaudio's merge_tokens. */
  spans: CtcTokenSpan[];
}

/** A target label's frames in an alignment. */
export interface CtcTokenSpan {
  /** The label. */
  token: number;
  /** Its first frame. */
  start: number;
  /** One past its last frame. */
  end: number;
  /** The mean probability of its frames. */
  score: number;
}

/** ctcForcedAlign's options. */
export interface CtcForcedAlignOptions {
  /** The blank's class. @defaultValue 0 */
  blank?: number;
}

/** ctcGreedyDecode's options. */
export interface CtcGreedyDecodeOptions {
  /** The blank's class. @defaultValue 0 */
  blank?: number;
  /** Each sequence's frames to decode (one per sequence; a number for (T, C)). @defaultValue T each */
  inputLengths?: IndexTarget;
}

/** ctcGreedyDecode's result. */
export interface CtcGreedyDecoding {
  /** Every sequence's labels, concatenated (as ctcLoss takes concatenated targets). */
  tokens: Int32Array;
  /** How many labels each sequence has. */
  lengths: Int32Array;
}

/** ctcBeamSearch's options. */
export interface CtcBeamSearchOptions {
  /** The prefixes kept after each frame, and the hypotheses returned at most. @defaultValue 16 */
  beamWidth?: number;
  /** The blank's class. @defaultValue 0 */
  blank?: number;
  /** A log-prior per class (length C), added to a hypothesis's score each time it appends that label. */
  tokenLogPrior?: FloatArray | readonly number[];
  /**
   * A language model's log-score of `token` following `prefix`, added to the score when it is appended: asked
   * once per prefix and label, for each frame's `beamWidth` most probable labels.
   */
  languageModel?: (prefix: Int32Array, token: number) => number;
}

/** A hypothesis of ctcBeamSearch. */
export interface CtcHypothesis {
  /** The label sequence. */
  tokens: Int32Array;
  /** logProb plus the prior's and the language model's log-scores: what the hypotheses are ranked by. */
  score: number;
  /** The log-probability of the alignments of `tokens` the beam kept (all of them, when it is wide enough). */
  logProb: number;
}

/** What a loss takes as its target: a same-shaped float Tensor, class indices or probabilities, or class indices. */
export type TargetKind = 'same' | 'class' | 'index';

/** A loss's target for input arrays T: see {@link TargetKind}. */
export type LossTarget<K extends TargetKind, T extends FloatArray> = K extends 'same'
  ? TensorLike<T>
  : K extends 'class'
    ? IndexTarget | ProbabilityTarget<T>
    : IndexTarget;

/**
 * Options O where every named key that `Allowed` lacks is typed `never`: a misspelt option is a type error (options
 * typed as a record of any keys are checked when the call runs).
 */
export type Exactly<O, Allowed> = O & {
  [K in Exclude<keyof O, keyof Allowed | (string extends keyof O ? string | number : never)>]: never;
};

/**
 * What a loss returns for the options O it was given: a Tensor for `reduction: 'none'`, a number for the other
 * reductions, the default reduction's kind `D` when O names none ('scalar': 'mean'; 'none' for sigmoidFocalLoss),
 * and either when O's reduction is not known where the call is written.
 */
export type LossOutput<O, T extends FloatArray, D extends 'scalar' | 'none' = 'scalar'> = [ReductionOf<O>] extends [
  'none',
]
  ? Tensor<T>
  : [ReductionOf<O>] extends ['mean' | 'sum' | 'batchmean']
    ? number
    : [ReductionOf<O>] extends [undefined]
      ? D extends 'none'
        ? Tensor<T>
        : number
      : number | Tensor<T>;

/** Options that name no reduction: the default one applies. */
export interface NoReduction {
  /** Left out. */
  reduction?: undefined;
}

/** The options of a call that gives none: every default. */
export type NoOptions = Record<never, never>;

/** The reduction that options O name (undefined when they name none). */
export type ReductionOf<O> = 'reduction' extends keyof O ? O['reduction' & keyof O] : undefined;

/** Options that may name a reduction. */
export interface ReducibleOptions {
  /** The reduction asked for. */
  reduction?: string;
}

/** A loss's type: its result follows the reduction asked for (see {@link LossOutput}). */
export type LossFunction<
  O extends ReducibleOptions,
  K extends TargetKind = 'same',
  D extends 'scalar' | 'none' = 'scalar',
> = <T extends FloatArray, P extends O = O & NoReduction>(
  input: TensorLike<T>,
  target: LossTarget<K, T>,
  options?: Exactly<P, O>,
) => LossOutput<P, T, D>;

/** The fused forward and backward of a LossFunction: the loss, and its gradient with respect to the input. */
export type LossWithGradFunction<
  O extends ReducibleOptions,
  K extends TargetKind = 'same',
  D extends 'scalar' | 'none' = 'scalar',
> = <T extends FloatArray, P extends O & GradOptions<T> = O & NoReduction>(
  input: TensorLike<T>,
  target: LossTarget<K, T>,
  options?: Exactly<P, O & GradOptions<T>>,
) => LossWithGrad<LossOutput<P, T, D>, T>;

/** The arrays a WasmTensor can hold. */
export type ResidentArray = Float32Array | Float64Array | Int32Array;

/** The constructors allocTensor takes. */
export type ResidentArrayConstructor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;

/**
 * A tensor whose data lives in WebAssembly memory: passed as an input, a target or `out`, it is used where
 * it is, with no copy. You own it: `free()` it when done. WebAssembly memory can grow during a call,
 * which detaches earlier views, so read `data` afresh after each call instead of keeping it.
 */
export interface WasmTensor<T extends ResidentArray = Float32Array> extends Tensor<T> {
  /** A view of the tensor's memory, made anew whenever WebAssembly memory has grown. */
  readonly data: T;
  readonly shape: readonly number[];
  /** Whether `free()` has been called, or `release()` has dropped the memory it lived in. */
  readonly freed: boolean;
  /** Returns the memory to xentropy's allocator; `data` throws afterwards. Calling it twice is harmless. */
  free(): void;
}
