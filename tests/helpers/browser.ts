import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium package (`.ci/run` installs it). */
export const CHROMIUM = process.env.LLMUX_CHROMIUM ?? '/usr/bin/chromium';

export interface HeadlessBrowser {
  /** One profile; each page is a tab with its own sessionStorage. */
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless chromium with a fresh profile and no background traffic of its own. */
export async function launchBrowser(): Promise<HeadlessBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'llmux-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
