// dst[o][j][i] = src[o][i][j] for an (outer, a, b) array: moves a class dim that is not last to the
// end, (N, C, S) → (N, S, C), and back again with a and b swapped.

import { at } from '../math/rows';

export function swapLastTwoDims<T>(src: usize, dst: usize, outer: i32, a: i32, b: i32): void {
  const block = a * b;
  for (let o = 0; o < outer; o++) {
    const s = at<T>(src, o * block);
    const d = at<T>(dst, o * block);
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < b; j++) {
        store<T>(at<T>(d, j * a + i), load<T>(at<T>(s, i * b + j)));
      }
    }
  }
}
