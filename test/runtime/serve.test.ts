// `npm start` on a busy port: the demo server passes over it to the next free one.
import { createServer } from 'node:http';
import { expect, it } from 'vitest';
import { serve } from '../../scripts/serve.mjs';

it('serves on the next free port when the asked-for one is taken', async () => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const taken = (busy.address() as { port: number }).port;
  const { url, close } = await serve(new URL('../../demo/', import.meta.url).pathname, taken);
  try {
    expect(Number(new URL(url).port)).toBeGreaterThan(taken);
    expect((await fetch(url)).status).toBe(200);
  } finally {
    await close();
    busy.close();
  }
});
