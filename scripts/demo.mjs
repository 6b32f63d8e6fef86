// `npm start`: builds the demo page and serves it on localhost (PORT, default 5173) until stopped.
import { buildDemo } from './build-demo.mjs';
import { serve } from './serve.mjs';

const root = await buildDemo();
const { url } = await serve(root, Number(process.env.PORT ?? 5173));
console.log(`xentropy demo: ${url}  (Ctrl-C to stop; \`npm run tour\` for the terminal tour)`);
