export interface ModelCard {
  merges: [number, number][];
  pieces: string;
}
export interface Tokenizer {
  vocabulary: number;
  encode(text: string): number[];
  bytesOf(id: number): Uint8Array;
  textOf(id: number): string;
}
export function createTokenizer(card: ModelCard): Tokenizer;
