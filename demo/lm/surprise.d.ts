import type { ModelHead, SessionLike } from '../../src/adapters/onnxruntime.js';
import type { ModelCard, Tokenizer } from './tokenizer.js';

export const TOP: number;
export interface LanguageModel {
  ort: unknown;
  head: ModelHead;
  session: SessionLike;
  tokenizer: Tokenizer;
  start: number[];
  context: number;
}
export interface Alternative {
  id: number;
  text: string;
  probability: number;
}
export interface ScoredToken {
  id: number;
  text: string;
  logProb: number;
  bits: number;
  probability: number;
  entropyBits: number;
  top: Alternative[];
}
export interface ScoredText {
  tokens: ScoredToken[];
  bitsPerToken: number;
  perplexity: number;
  cut: number;
  ids: number[];
  modelMs: number;
  scoreMs: number;
}
export function loadLanguageModel(
  ort: unknown,
  modelBytes: Uint8Array,
  card: ModelCard & { context: number },
  sessionOptions?: object,
): Promise<LanguageModel>;
export function idsOf(model: LanguageModel, text: string): { ids: number[]; cut: number };
export function scoreText(model: LanguageModel, text: string): Promise<ScoredText>;
