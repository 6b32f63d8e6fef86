/** A page: evaluate an async expression (its JSON value), then close. */
export interface EnginePage {
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}
export interface Engine {
  name: string;
  version: string;
  open(url: string): Promise<EnginePage>;
  close(): Promise<void>;
}
export function firefoxInstalled(): boolean;
export function webkitInstalled(): boolean;
export function launchFirefox(): Promise<Engine>;
export function launchWebKit(port?: number, display?: string): Promise<Engine>;
