import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { run, tail } from '../support/command.js';

/** Debian's Chromium; playwright-core drives it (never `npx playwright install`). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** The one installer of Debian packages, shared with the image scripts (it serialises parallel installs). */
const REQUIRE_SCRIPT = fileURLToPath(new URL('../../scripts/image/require.sh', import.meta.url));

/** A suite's set-up may have to install Chromium first (about 150 MB from Debian); its hook allows this long. */
export const CHROMIUM_SETUP_TIMEOUT_MS = 15 * 60_000;

/**
 * Makes sure Debian Chromium is installed: installs it when missing and running as root (as `.ci/run` does), else
 * fails naming the command to run. Several browser suites call this at once; the script lets one install and the
 * others wait for it. Asynchronous, so the suite's hook timeout still applies.
 */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM_PATH)) return;
  const script = 'source "$1" && require_debian_package chromium chromium';
  const result = await run('bash', ['-c', script, 'bash', REQUIRE_SCRIPT], CHROMIUM_SETUP_TIMEOUT_MS);
  if (result.code !== 0 || !existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not available at ${CHROMIUM_PATH} (installer exited with ${result.code}):\n${tail(result.stderr, 15)}`,
    );
  }
}

export interface ChromiumSession {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile (user-data-dir), no sandbox (containers), no background networking. */
export async function launchChromium(): Promise<ChromiumSession> {
  await ensureChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
