// An embedded build's bytes: base64 decoded, and inflated when it was deflated. A module of its own, loaded only
// when a build is not read or fetched as its .wasm file, so that the entry carries no decoder.
import { decodeBase64 } from './base64.js';
import { inflate } from './inflate.js';

/** What a build's generated module exports: its bytes as base64, deflated or not. */
export interface EmbeddedModule {
  WASM_BASE64?: string;
  WASM_DEFLATED_BASE64?: string;
}

export async function embeddedBytes(embedded: EmbeddedModule): Promise<Uint8Array<ArrayBuffer>> {
  if (embedded.WASM_DEFLATED_BASE64) return inflate(decodeBase64(embedded.WASM_DEFLATED_BASE64));
  return decodeBase64(embedded.WASM_BASE64 as string);
}
