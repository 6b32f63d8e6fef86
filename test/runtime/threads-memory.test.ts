// The threads builds write nothing over their shared memory as an instance starts but constants: every instance
// (the calling thread's and each worker's) applies the module's data segments, so a segment of zeros (static memory
// for params or scratch) would be zeroed under a call running on another thread. Such blocks are each instance's own,
// allocated by the calling thread (src/core/instance.ts); here no data segment of a threads build is all zeros.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** The bytes of each data segment in a build's text form (build/xentropy.<file>.wat). */
function dataSegments(file: string): number[][] {
  const wat = readFileSync(new URL(`../../build/xentropy.${file}.wat`, import.meta.url), 'latin1');
  return [...wat.matchAll(/\(data \$\d+ \(i32\.const \d+\) "((?:[^"\\]|\\.)*)"\)/g)].map(([, text]) => {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      if (text[i] !== '\\') bytes.push(text.charCodeAt(i));
      else if (/[0-9a-f]{2}/.test(text.slice(i + 1, i + 3))) {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push({ t: 9, n: 10, r: 13 }[text[++i]] ?? text.charCodeAt(i));
    }
    return bytes;
  });
}

describe('threads builds: no static blocks of zeros in shared memory', () => {
  for (const file of ['threads', 'relaxed-threads']) {
    it(file, () => {
      const segments = dataSegments(file);
      expect(segments.length).toBeGreaterThan(0);
      expect(segments.filter((bytes) => bytes.every((b) => b === 0)).map((bytes) => bytes.length)).toEqual([]);
    });
  }
  it('the segments are read byte for byte (the exp table begins with −104 and 89 as float32)', () => {
    const first = new Float32Array(Uint8Array.from(dataSegments('threads')[0].slice(0, 32)).buffer);
    expect([first[0], first[3], first[4], first[7]]).toEqual([-104, -104, 89, 89]);
  });
});
