import type { Browser } from 'playwright-core';

export function findChromium(): Promise<{ source: string; executablePath: string; args: string[] }>;
export function launchChromium(): Promise<Browser>;
