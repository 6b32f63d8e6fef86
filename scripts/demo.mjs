// `npm start`: builds the demo page and serves it on localhost (PORT, default 5173) until stopped.
import { buildDemo } from './build-demo.mjs';
import { serve } from './serve.mjs';

const root = await buildDemo();
const wanted = Number(process.env.PORT ?? 5173);
const { url } = await serve(root, wanted);
const port = Number(new URL(url).port);
if (port !== wanted) console.log(`port ${wanted} is taken, so the demo is on ${port} (set PORT to choose one)`);
console.log(`xentropy demo: ${url}  (Ctrl-C to stop; \`npm run tour\` for the terminal tour)`);
