// The demo language model's tokenizer: the byte-level BPE that scripts/train-kjv-lm.py learned, applied as it does.
// Text is cut into pieces by the card's pattern (a word, a number or a run of other characters, each with the space
// before it); each piece's UTF-8 bytes are merged pair by pair, the earliest-learned pair first.

const BYTES = 256;

/**
 * The tokenizer of a model card ({ merges: [a, b][], pieces: pattern }).
 * @returns {{ encode: (text: string) => number[], bytesOf: (id: number) => Uint8Array,
 *   textOf: (id: number) => string, vocabulary: number }}
 */
export function createTokenizer(card) {
  const rank = new Map(card.merges.map(([a, b], r) => [a * 65536 + b, r]));
  const parts = Array.from({ length: BYTES }, (_, i) => Uint8Array.of(i));
  for (const [a, b] of card.merges) parts.push(Uint8Array.from([...parts[a], ...parts[b]]));
  const utf8 = new TextEncoder();
  const decoder = new TextDecoder();
  const pattern = new RegExp(card.pieces, 'g');

  function encodePiece(piece) {
    let ids = Array.from(utf8.encode(piece));
    for (;;) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = rank.get(ids[i] * 65536 + ids[i + 1]);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) return ids;
      const [a, b] = card.merges[best];
      const merged = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
          merged.push(BYTES + best);
          i++;
        } else merged.push(ids[i]);
      }
      ids = merged;
    }
  }

  return {
    vocabulary: parts.length,
    encode: (text) => (String(text).match(pattern) ?? []).flatMap(encodePiece),
    bytesOf: (id) => parts[id],
    textOf: (id) => decoder.decode(parts[id]),
  };
}
