// A small static file server on the loopback interface, for the demo and the browser tests.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `root` on 127.0.0.1:`port` (0 picks a free port); resolves to { url, close }. With `isolated`,
 * pages are cross-origin isolated (COOP and COEP headers), as SharedArrayBuffer needs. With `cacheable`, responses
 * may be cached for a minute (a repeat visit), otherwise never.
 */
export function serve(root, port = 0, { isolated = false, cacheable = false } = {}) {
  const isolation = isolated
    ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
    : {};
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://localhost').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    let file = join(root, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      statSync(file);
    } catch {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': cacheable ? 'max-age=60' : 'no-store',
      ...isolation,
    });
    createReadStream(file).pipe(response);
  });
  // a busy port is passed over for the next free one (up to 20 further), which the caller can report
  return new Promise((resolve, reject) => {
    let tried = port;
    server.on('error', (error) => {
      if (error.code !== 'EADDRINUSE' || port === 0 || tried >= port + 20) reject(error);
      else server.listen(++tried, '127.0.0.1');
    });
    server.listen(tried, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}
