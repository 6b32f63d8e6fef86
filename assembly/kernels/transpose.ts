// dst[o][j][i] = src[o][i][j] for an (outer, a, b) array: moves a class dim that is not last to the
// end, (N, C, S) → (N, S, C), and back again with a and b swapped; and the fused linear path's logits,
// [V × n] ↔ [n × V]. Four rows of dst at a time, each written straight along: a power-of-two a puts every row of dst
// in the same set of the L1 cache, so more rows at once evict each other (element by element down whole columns,
// the logits' transposes at V 4096 took 4 ns an element; tiles of 32 × 32, 3.9).

import { at } from '../math/rows';

export function swapLastTwoDims<T>(src: usize, dst: usize, outer: i32, a: i32, b: i32): void {
  const block = a * b;
  for (let o = 0; o < outer; o++) {
    const s = at<T>(src, o * block);
    const d = at<T>(dst, o * block);
    let j = 0;
    for (; j + 4 <= b; j += 4) {
      const d0 = at<T>(d, j * a), d1 = at<T>(d0, a), d2 = at<T>(d1, a), d3 = at<T>(d2, a);
      for (let i = 0; i < a; i++) {
        const from = at<T>(s, i * b + j);
        store<T>(at<T>(d0, i), load<T>(from));
        store<T>(at<T>(d1, i), load<T>(from, sizeof<T>()));
        store<T>(at<T>(d2, i), load<T>(from, 2 * sizeof<T>()));
        store<T>(at<T>(d3, i), load<T>(from, 3 * sizeof<T>()));
      }
    }
    for (; j < b; j++) {
      const dj = at<T>(d, j * a);
      for (let i = 0; i < a; i++) store<T>(at<T>(dj, i), load<T>(at<T>(s, i * b + j)));
    }
  }
}
