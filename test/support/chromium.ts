import { existsSync } from 'node:fs';

/** Where Debian, Ubuntu and Chrome's own packages put the browser. */
const USUAL_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/**
 * The Chromium the browser suite drives: CHROMIUM_PATH, else the first of
 * the usual install paths, else undefined (the suite is skipped, saying so
 * once). Playwright's own browser download cannot work on these machines.
 */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  return USUAL_PATHS.find((p) => existsSync(p));
}

/** Flags for a headless Chromium in CI: no sandbox (root), no GPU, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
