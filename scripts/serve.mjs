// Serves a folder of static files on the loopback interface, for the demo, the browser tests and the
// benchmarks: Vite's preview server (`vite preview`) over the folder as it is, with no build.
import { preview } from 'vite';

/**
 * Serves `root` on 127.0.0.1:`port` (0 picks a free port; a busy port is passed over for the next free one,
 * which the returned url says); resolves to { url, close }. With `isolated`, pages are cross-origin isolated
 * (COOP and COEP headers), as SharedArrayBuffer needs. With `cacheable`, responses may be cached for a minute
 * (a repeat visit), otherwise never.
 */
export async function serve(root, port = 0, { isolated = false, cacheable = false } = {}) {
  const headers = { 'cache-control': cacheable ? 'max-age=60' : 'no-store' };
  if (isolated) {
    headers['cross-origin-opener-policy'] = 'same-origin';
    headers['cross-origin-embedder-policy'] = 'require-corp';
  }
  const server = await preview({
    root,
    configFile: false,
    logLevel: 'silent',
    appType: 'mpa', // a missing file is a 404, not the index page
    build: { outDir: root },
    preview: { host: '127.0.0.1', port, strictPort: false, headers, open: false },
  });
  const address = server.httpServer.address();
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => server.close(),
  };
}
