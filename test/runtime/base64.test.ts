// The base64 decoder of engines without a native one (atob) gives Node's bytes, at every padding.
import { expect, it } from 'vitest';
import { makeRandom } from '../../reference/random.js';
import { decodeWithAtob } from '../../src/core/base64.js';

it('decodes what Buffer encodes, for lengths 0 to 64 and a 100 KB build-sized blob', () => {
  const random = makeRandom(64);
  for (const length of [...Array.from({ length: 65 }, (_, i) => i), 100_003]) {
    const bytes = Uint8Array.from({ length }, () => random.int(256));
    const text = Buffer.from(bytes).toString('base64');
    expect(Buffer.from(decodeWithAtob(text)).equals(Buffer.from(bytes)), `length ${length}`).toBe(true);
  }
});
