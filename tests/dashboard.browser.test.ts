import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { lfsFile, startLocalHub, type LocalHub } from './helpers/local-hub.js';
import { MODELS_DIR, startTestServer, type TestServer } from './helpers/test-server.js';

const ADMIN_KEY = 'dashboard-admin-key';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-artifacts/dashboard');

let server: TestServer;
let hub: LocalHub;
let cacheDir: string;
let browser: HeadlessBrowser;
/** Every URL a page asked for: the dashboard must not reach beyond the server. */
const requested: string[] = [];
/** Script errors and console errors (a CSP violation is one), except the 401s the key test asks for. */
const pageErrors: string[] = [];

async function openPage(width = 1280, height = 900): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height });
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 401/.test(message.text())) pageErrors.push(message.text());
  });
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  cacheDir = await mkdtemp(path.join(tmpdir(), 'llmux-ui-cache-'));
  hub = await startLocalHub({ 'llmux-test/brown-GGUF': [lfsFile(path.join(MODELS_DIR, 'brown-llama-1m-F16.gguf'))] });
  server = await startTestServer({
    server: { adminApiKeys: [ADMIN_KEY] },
    modelDefaults: { parallel: 1 },
    store: { cacheDir, hfEndpoint: hub.url, aliasesFile: path.join(cacheDir, 'aliases.json') },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await hub?.close();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the dashboard in headless chromium', () => {
  it('shows a 401 page without the key and opens with it, from the keyboard', async () => {
    const page = await openPage();
    await page.goto(server.url);
    const heading = page.getByRole('heading', { name: /401/ });
    await heading.waitFor();
    expect(await page.title()).toBe('401 · llmux');
    expect(await page.locator('#main').isHidden()).toBe(true);
    // The key field has the focus: type and press Enter.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('auth-key');
    await shot(page, '401');
    await page.keyboard.type('wrong-key');
    await page.keyboard.press('Enter');
    await page.getByText('Incorrect API key provided.', { exact: false }).waitFor();
    await page.getByRole('textbox', { name: 'Admin key' }).fill(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('llmux.adminKey'))).toBe(ADMIN_KEY);
    await page.close();
  });

  it('loads a model from the page and shows its state change, then streams a chat with its route', async () => {
    const page = await openPage();
    await page.goto(`${server.url}/ui`);
    await page.evaluate((key) => sessionStorage.setItem('llmux.adminKey', key), ADMIN_KEY);
    await page.reload();
    const row = page.locator('tr[data-model="brown-llama-1m"]');
    await row.locator('[data-state="available"]').waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    // Record every state the row's badge shows, as the page renders it from the events stream.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      new MutationObserver(() => {
        const state = document.querySelector('tr[data-model="brown-llama-1m"] [data-state]')?.getAttribute('data-state');
        if (state && seen.at(-1) !== state) seen.push(state);
      }).observe(document.getElementById('model-rows')!, { childList: true, subtree: true, attributes: true });
    });
    // From the keyboard: focus the button, press Enter.
    await page.getByRole('button', { name: 'Load brown-llama-1m', exact: true }).focus();
    await page.keyboard.press('Enter');
    await row.locator('[data-state="loaded"]').waitFor();
    // The focus comes back to the same slot, now the Unload button, once the load is done.
    await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Unload brown-llama-1m', undefined, { timeout: 5000 });
    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    expect(seen.at(-1)).toBe('loaded');
    expect(seen).toContain('loading');
    // The row refreshes after the event: the estimate and the memory the loaded model reports.
    await page.waitForFunction(() => /MB \/ [\d.]+ (KB|MB)/.test(document.querySelector('tr[data-model="brown-llama-1m"] td[data-label="Memory"]')?.textContent ?? ''));
    await page.getByRole('button', { name: 'Pin brown-llama-1m', exact: true }).click();
    await page.getByRole('button', { name: 'Unpin brown-llama-1m', exact: true }).waitFor();
    expect(await row.locator('td[data-label="Pinned"]').textContent()).toBe('yes');

    await page.getByLabel('Model', { exact: true }).selectOption('stories260K');
    await page.getByLabel('Max tokens').fill('24');
    await page.getByRole('button', { name: 'Send' }).click();
    const route = page.locator('dd[data-fact="route"]');
    await route.waitFor();
    expect(await route.textContent()).toBe('direct');
    expect(await page.locator('dd[data-fact="model"]').textContent()).toBe('stories260K');
    expect(await page.locator('dd[data-fact="usage"]').textContent()).toMatch(/\d+ prompt \+ 24 completion/);
    expect((await page.locator('#chat-output').textContent())!.length).toBeGreaterThan(10);
    // The request reaches the live view through the events stream.
    await page.locator('#recent-rows tr', { hasText: 'stories260K' }).waitFor();
    await page.waitForFunction(() => document.getElementById('t-tps')?.textContent !== '–', undefined, { timeout: 5000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'dashboard');
    await page.locator('#chat').screenshot({ path: path.join(ARTIFACTS, 'playground.png') });
    await page.close();
  });

  it('pulls a model with a progress bar, lists it, and deletes it', async () => {
    const page = await openPage();
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(server.url);
    await page.evaluate((key) => sessionStorage.setItem('llmux.adminKey', key), ADMIN_KEY);
    await page.reload();
    await page.locator('tr[data-model="stories260K"]').waitFor();
    await page.evaluate(() => {
      const bar = document.getElementById('pull-progress') as HTMLProgressElement;
      const seen: number[] = [];
      (window as unknown as { pullValues: number[] }).pullValues = seen;
      new MutationObserver(() => seen.push(bar.value / bar.max)).observe(bar, { attributes: true, attributeFilter: ['value', 'max'] });
    });
    await page.getByLabel('Pull from the hub').fill('llmux-test/brown-GGUF:F16');
    await page.keyboard.press('Enter');
    await page.getByText(/^pulled /).waitFor();
    const values = await page.evaluate(() => (window as unknown as { pullValues: number[] }).pullValues);
    expect(Math.max(...values)).toBe(1);
    const row = page.locator('tr', { hasText: 'brown-GGUF' });
    await row.waitFor();
    expect(await row.locator('[data-state]').getAttribute('data-state')).toBe('available');
    await row.getByRole('button', { name: /^Delete / }).click();
    await row.waitFor({ state: 'detached' });
    await page.close();
  });

  it('stays readable at phone width', async () => {
    const page = await openPage(390, 844);
    await page.goto(server.url);
    await page.evaluate((key) => sessionStorage.setItem('llmux.adminKey', key), ADMIN_KEY);
    await page.reload();
    await page.locator('tr[data-model="stories260K"]').waitFor();
    // Nothing wider than the screen: no sideways scrolling of the page itself.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, 'phone');
    await page.close();
  });

  it('asked for nothing outside the server and raised no script or policy errors', () => {
    expect(pageErrors).toEqual([]);
    const outside = requested.filter((url) => !url.startsWith(server.url) && !url.startsWith('data:'));
    expect(requested.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
  });
});
