// Debian's chromium (CI installs it with apt) driven by playwright-core, the way every browser test
// starts it: headless, in a fresh profile directory, without the background services a test never needs.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** Browser tests skip themselves where there is no chromium. */
export const hasChromium = existsSync(CHROMIUM);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gomem-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
}
