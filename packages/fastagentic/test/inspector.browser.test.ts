import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { InMemoryProvider } from '@fastagentic/memory';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { SECRET, tokenFor } from './helpers.js';

// Debian's chromium, never a browser downloaded by a test tool; `pnpm test` installs it first
// (scripts/ensure-chromium.mjs) when it can: as root with apt-get.
const CHROMIUM = '/usr/bin/chromium';
const browserMissing = !existsSync(CHROMIUM);
if (browserMissing) {
  console.warn(`${CHROMIUM} is missing: the inspector's browser test is skipped; install Debian's chromium (as root: apt-get install -y chromium) to run it`);
}
const OUTPUT_DIR = fileURLToPath(new URL('../test-output/', import.meta.url));
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"> my "secret" notes';

let browser: Browser;
let server: ServerType;
let baseUrl: string;
const memory = new InMemoryProvider();
const sessionMemory = new InMemoryProvider({ ttlSeconds: 600 });

beforeAll(async () => {
  if (browserMissing) return;
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const app = new App({ title: 'Travel agent', memory, sessionMemory, auth: { secret: SECRET }, inspector: true, logger: { warn() {}, error() {} } });
  await memory.add('alice', [{ role: 'user', content: 'Drinks green tea every morning' }], { category: 'habits' });
  await memory.add('alice', [{ role: 'user', content: 'Prefers green window seats on long flights' }], { category: 'travel' });
  await memory.add('alice', [{ role: 'user', content: 'Green tea at night keeps me awake, so no tea after six' }], { category: 'habits' });
  await memory.add('alice', [{ role: 'user', content: 'Flies to Tokyo every spring' }], { category: 'travel' });
  await memory.add('alice', [{ role: 'user', content: XSS }], { note: '<b>bold?</b>' });
  await sessionMemory.add('alice', [{ role: 'user', content: 'Asked about tea shops in Kyoto' }], { sessionId: 'trip-1' });
  await memory.add('bob', [{ role: 'user', content: 'Bob keeps a private diary' }]);
  server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

/** A page that fails the test on a script error or a CSP violation. */
async function openInspector(problems: string[], width = 1200): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(`${baseUrl}/inspector`);
  return page;
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#main').waitFor({ state: 'visible' });
}

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

describe.skipIf(browserMissing)(`inspector in a real browser${browserMissing ? ` (skipped: ${CHROMIUM} is missing)` : ''}`, () => {
  it('signs in, searches, moves the slider, deletes, forgets, and shows a stored script as text', async () => {
    const problems: string[] = [];
    const page = await openInspector(problems);
    expect(await page.locator('#login-form').isVisible()).toBe(true);
    expect(await page.locator('#main').isHidden()).toBe(true);

    await signIn(page, await tokenFor({ sub: 'alice' }));
    expect(await page.locator('#who').textContent()).toBe('Signed in as alice');
    expect(await page.locator('#lookup').isHidden()).toBe(true);
    await page.locator('#long-list li.memory').first().waitFor();
    expect(await page.locator('#long-list li.memory').count()).toBe(5);
    expect(await texts(page, '#session-list .memory-text')).toEqual(['Asked about tea shops in Kyoto']);
    expect(await page.locator('#session-list pre').textContent()).toContain('"sessionId": "trip-1"');
    expect(await texts(page, '#long-list .chip')).toEqual(expect.arrayContaining(['habits', 'travel']));
    expect((await page.content()).includes('Bob keeps')).toBe(false);

    // The stored script and the img are text: nothing ran, no element was made from them.
    expect(await texts(page, '#long-list .memory-text')).toContain(XSS);
    expect(await page.locator('#long-list pre').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('<b>bold?</b>')]),
    );
    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.evaluate(() => [document.scripts.length, document.images.length, document.querySelectorAll('b').length])).toEqual([1, 0, 0]);

    // Before any search the result headings are not shown, empty.
    expect(await page.locator('#explain-results').isHidden()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Injected', exact: true }).isVisible()).toBe(false);

    // Search, then raise minRelevance with the keyboard: the injected set shrinks, the rest say why.
    await page.locator('#query').fill('green tea');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#injected li').length === 3);
    const looseInjected = await texts(page, '#injected .memory-text');
    expect(looseInjected).toHaveLength(3);
    expect(await page.getByRole('heading', { name: 'Injected', exact: true }).isVisible()).toBe(true);
    const slider = page.locator('#min-relevance');
    await slider.focus();
    for (let step = 0; step < 18; step++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('#min-relevance-value').textContent()).toBe('0.90');
    // The answer for 0.9 (not one for a position passed on the way) is the one shown.
    await page.waitForFunction(() => {
      const reasons = [...document.querySelectorAll('#excluded .reason')].map((node) => node.textContent);
      return reasons.length > 0 && reasons.every((reason) => reason!.startsWith('below minRelevance 0.9 '));
    });
    const strictInjected = await texts(page, '#injected .memory-text');
    expect(strictInjected.length).toBeLessThan(looseInjected.length);
    expect(strictInjected).toContain('Drinks green tea every morning');
    expect(strictInjected).not.toContain('Prefers green window seats on long flights');
    const excluded = await texts(page, '#excluded .memory-text');
    expect(excluded).toContain('Prefers green window seats on long flights');
    expect([...strictInjected, ...excluded].sort()).toEqual([...looseInjected].sort());
    for (const reason of await texts(page, '#excluded .reason')) expect(reason).toMatch(/^below minRelevance 0\.9 by 0\.\d{3}$/);
    // Scores are coloured by the threshold: green at or above it, red below it.
    const scoreColours = await page.evaluate(() => {
      const colours = (selector: string) => [...document.querySelectorAll(selector)].map((node) => getComputedStyle(node).color);
      return { injected: colours('#injected .score'), excluded: colours('#excluded .score') };
    });
    expect(new Set(scoreColours.injected)).toEqual(new Set(['rgb(26, 127, 55)']));
    expect(new Set(scoreColours.excluded)).toEqual(new Set(['rgb(207, 34, 46)']));
    expect(await page.locator('#explain-summary').textContent()).toMatch(
      new RegExp(`^${strictInjected.length} injected, ${excluded.length} not, of 3 candidates; answered by in-memory in [\\d.]+ ms$`),
    );
    // Back down to 0: everything is injected again.
    await page.keyboard.press('Home');
    expect(await page.locator('#min-relevance-value').textContent()).toBe('0.00');
    await page.waitForFunction(() => document.querySelectorAll('#injected li').length === 3 && document.querySelectorAll('#excluded li').length === 0);
    // Screenshot at a position where both lists show.
    for (let step = 0; step < 14; step++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => {
      const reasons = [...document.querySelectorAll('#excluded .reason')].map((node) => node.textContent);
      return reasons.length > 0 && reasons.every((reason) => reason!.startsWith('below minRelevance 0.7 '));
    });

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#latency tbody tr').length >= 2);
    const latencyRows = await texts(page, '#latency tbody tr');
    expect(latencyRows.some((row) => row.startsWith('in-memorysearch'))).toBe(true);
    // The first listing opened the store: its own labelled row, not part of getAll's percentiles.
    expect(latencyRows[0]).toMatch(/^in-memorygetAll \(first call, opens the store\)1/);
    await page.screenshot({ path: `${OUTPUT_DIR}inspector.png`, fullPage: true });

    // Delete one memory.
    const flights = page.locator('#long-list li.memory', { hasText: 'window seats' });
    await flights.getByRole('button', { name: 'Delete' }).click();
    await page.locator('#status', { hasText: 'Deleted memory' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#long-list li.memory').length === 4);
    expect((await memory.getAll('alice')).memories.map((m) => m.memory)).not.toContain('Prefers green window seats on long flights');

    // Forget, after the confirmation.
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Forget this user…' }).click();
    await page.locator('#status', { hasText: 'Forgot user alice: 5 memories deleted.' }).waitFor();
    expect(dialogs).toEqual(['Delete every memory of user "alice"? This cannot be undone.']);
    expect((await memory.getAll('alice')).memories).toEqual([]);
    expect((await sessionMemory.getAll('alice')).memories).toEqual([]);
    expect(await texts(page, '#long-list li')).toEqual(['No memories.']);
    expect((await memory.getAll('bob')).memories).toHaveLength(1);

    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('at 420 px wide nothing overflows sideways: the lists stack and the latency table scrolls in its own box', async () => {
    await memory.add('carol', [{ role: 'user', content: 'Drinks green tea with a very-long-hyphenated-word-that-could-push-the-layout-sideways' }], {
      note: 'a-long-metadata-value-without-any-space-at-all-that-must-wrap-inside-its-box',
    });
    await memory.add('carol', [{ role: 'user', content: 'Green tea after lunch' }]);
    const problems: string[] = [];
    const page = await openInspector(problems, 420);
    await signIn(page, await tokenFor({ sub: 'carol' }));
    await page.locator('#long-list li.memory').first().waitFor();
    await page.locator('#query').fill('green tea');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#injected li').length === 2);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForFunction(() => document.querySelectorAll('#latency tbody tr').length >= 2);
    const widths = await page.evaluate(() => {
      const box = document.querySelector('#latency')!.parentElement!;
      return {
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        tableBox: box.getBoundingClientRect().right,
        tableBoxOverflow: getComputedStyle(box).overflowX,
      };
    });
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.tableBox).toBeLessThanOrEqual(widths.viewport);
    expect(widths.tableBoxOverflow).toBe('auto');
    await page.screenshot({ path: `${OUTPUT_DIR}inspector-420px.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('an admin looks up another user; a wrong token is refused and asked for again', async () => {
    const problems: string[] = [];
    const page = await openInspector(problems);
    await signIn(page, await tokenFor({ sub: 'root', roles: ['admin'] }));
    expect(await page.locator('#who').textContent()).toBe('Signed in as root (admin)');
    await page.locator('#lookup-user').fill('bob');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('#long-list .memory-text', { hasText: 'Bob keeps a private diary' }).waitFor();
    expect(await page.locator('#viewing').textContent()).toBe('bob');

    // The admin edits bob's profile: saved through the API, shown again as stored, kept as a memory of bob's.
    await page.waitForFunction(() => (document.getElementById('profile') as HTMLTextAreaElement).value === '{}');
    await page.locator('#profile').fill('{ "name": "Bob", "pets": { "dog": "Rex" } }');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.locator('#status', { hasText: 'Saved the profile of bob.' }).waitFor();
    await page.locator('#long-list .memory-text', { hasText: 'About the user:' }).waitFor();
    expect(JSON.parse(await page.locator('#profile').inputValue())).toEqual({ name: 'Bob', pets: { dog: 'Rex' } });
    expect((await memory.getAll('bob', { filters: { kind: 'profile' } })).memories).toHaveLength(1);
    // Not JSON: said in the status line, nothing sent.
    await page.locator('#profile').fill('{ name: Bob');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.locator('#status', { hasText: 'The profile is not valid JSON' }).waitFor();
    expect(problems).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.locator('#token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#status', { hasText: 'The token was refused' }).waitFor();
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.close();
  }, 60_000);
});
