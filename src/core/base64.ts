// A base64 decoder for the embedded builds: the engine's own (Uint8Array.fromBase64: Chrome 140, Firefox 133,
// Safari 18.2; Node's Buffer), else atob, in engines that have neither (older browsers; once per build, at init).

type NodeBuffer = { from(text: string, encoding: 'base64'): Uint8Array<ArrayBuffer> };
type FromBase64 = { fromBase64?(text: string): Uint8Array<ArrayBuffer> };

/** The bytes of a padded base64 string. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const native = (Uint8Array as FromBase64).fromBase64;
  if (native) return native.call(Uint8Array, text);
  const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  return buffer ? buffer.from(text, 'base64') : decodeWithAtob(text);
}

/** The same through atob: what engines without a native decoder run. */
export const decodeWithAtob = (text: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
