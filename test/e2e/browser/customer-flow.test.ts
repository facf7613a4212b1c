/**
 * The customer's whole path in a real Chromium (issue 12), at a phone's and a
 * laptop's viewport, against the production build: sign in → describe → pay
 * (dev checkout) → watch progress → swipe → choose → reload → share link in a
 * fresh context plays; the delayed payment; form errors beside their fields;
 * another user's order; a cross-site POST carrying the cookie; and, on a
 * second server with Supabase Auth configured (a GoTrue wire stub), the magic
 * link sign-in. Every page gets a screenshot under test-results/ and an
 * axe-core check (no serious or critical violations; all of them by impact in
 * test-results/axe.json).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../src/db/migrate';
import { anyFreePort } from '../../../src/launcher/ports';
import { type BuiltServer, startBuiltServer } from '../../support/built-server';
import { CHROMIUM_ARGS, findChromium } from '../../support/chromium';
import { ensureUserByEmail } from '../../../src/db/auth-users';
import { withTransaction } from '../../../src/db/pool';
import { isUuid } from '../../../src/validation/uuid';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { startSupabaseAuthStub, type SupabaseAuthStub } from '../../support/supabase-auth-stub';

const executablePath = findChromium();
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = path.join(PROJECT_ROOT, 'test-results', 'screenshots');

const VIEWPORTS = [
  // a phone far east of UTC: a date input that went through `new Date()` would shift a day
  { name: 'phone', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, timezoneId: 'Pacific/Kiritimati' },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, hasTouch: false, isMobile: false, timezoneId: 'America/Los_Angeles' },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

let db: TestDatabase;
let server: BuiltServer;
let base: string;
let browser: Browser;
/** The same build with Supabase Auth configured (SUPABASE_URL + publishable key) against a GoTrue wire stub. */
let supabaseDb: TestDatabase;
let supabaseServer: BuiltServer;
let authStub: SupabaseAuthStub;
const PUBLISHABLE_KEY = 'sb_publishable_browser_0123456789';
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  if (!executablePath) return;
  mkdirSync(SHOTS, { recursive: true });
  [db, supabaseDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  authStub = await startSupabaseAuthStub({
    publishableKey: PUBLISHABLE_KEY,
    createUser: (address) => withTransaction(supabaseDb.pool, (tx) => ensureUserByEmail(tx, address)),
  });
  [server, supabaseServer, browser] = await Promise.all([
    startBuiltServer(db.url),
    startBuiltServer(supabaseDb.url, { SUPABASE_URL: authStub.url, SUPABASE_PUBLISHABLE_KEY: PUBLISHABLE_KEY }),
    chromium.launch({ executablePath, args: CHROMIUM_ARGS }),
  ]);
  base = server.base;
}, 300_000);

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  await browser?.close();
  await Promise.all([server?.stop(), supabaseServer?.stop()]);
  await authStub?.close();
});

async function newContext(vp: Viewport, options: { permissions?: string[] } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: vp.viewport, hasTouch: vp.hasTouch, isMobile: vp.isMobile, timezoneId: vp.timezoneId, ...options });
  contexts.push(context);
  return context;
}

/** `page (viewport)` → axe-core's violations by impact; written to test-results/axe.json. */
const axeResults: Record<string, Record<string, string[]>> = {};

/**
 * axe-core in the page: every violation is recorded by impact (rule ids) in
 * test-results/axe.json; the serious and critical ones are returned as
 * `rule: target` lines.
 */
async function axeProblems(page: Page, label: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    ).axe.run();
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const impacts = ['critical', 'serious', 'moderate', 'minor'];
  axeResults[label] = Object.fromEntries(impacts.map((impact) => [impact, violations.filter((v) => v.impact === impact).map((v) => v.id)]));
  writeFileSync(path.join(SHOTS, '..', 'axe.json'), `${JSON.stringify(axeResults, null, 2)}\n`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(', ')}`);
}

/** Client-side JS budget per page, gzip bytes (issue 12). */
const JS_BUDGET_GZIP = 150 * 1024;
/** `page (viewport)` → gzip bytes of the JS it loaded; written to test-results/js-sizes.json. */
const jsSizes: Record<string, number> = {};

/**
 * Gzip bytes of every script the page has loaded (script tags and fetched
 * chunks), each counted once. `noModule` scripts (Next's legacy polyfills)
 * are not: a browser with modules never downloads them.
 */
async function pageJsGzipBytes(page: Page): Promise<number> {
  const urls = await page.evaluate(() => [
    ...new Set([
      ...[...document.scripts]
        .filter((s) => !s.noModule)
        .map((s) => s.src)
        .filter(Boolean),
      ...performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => new URL(n).pathname.endsWith('.js')),
    ]),
  ]);
  const sizes = await Promise.all(urls.map(async (u) => gzipSync(Buffer.from(await (await fetch(u)).arrayBuffer())).length));
  return sizes.reduce((a, b) => a + b, 0);
}

/** Screenshot to test-results/screenshots/<name>-<viewport>.png, the JS budget and the axe check. */
async function checkPage(page: Page, vp: Viewport, name: string): Promise<void> {
  // Next.js streams a dynamic page's metadata after its first bytes, so <title> can land a
  // moment after load (seen once: axe's document-title on /sign-in). Give it 5 s; a page
  // that never gets a title still fails the axe check below.
  await page.waitForFunction(() => document.title.trim() !== '', null, { timeout: 5000 }).catch(() => {});
  await page.screenshot({ path: path.join(SHOTS, `${name}-${vp.name}.png`), fullPage: true });
  const js = await pageJsGzipBytes(page);
  jsSizes[`${name} (${vp.name})`] = js;
  writeFileSync(path.join(SHOTS, '..', 'js-sizes.json'), `${JSON.stringify(jsSizes, null, 2)}\n`);
  expect(js, `client JS of ${name} (${vp.name}), gzip bytes`).toBeLessThan(JS_BUDGET_GZIP);
  expect(await axeProblems(page, `${name} (${vp.name})`), `axe on ${name} (${vp.name})`).toEqual([]);
}

const email = (vp: Viewport, who: string) => `${who}-${vp.name}-${Date.now()}@example.test`;

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Fills the form with `date` as the occasion date and submits it. */
async function describeSong(page: Page, date = '2027-03-01'): Promise<void> {
  await page.getByLabel('Recipient').fill('Maya');
  await page.getByLabel('Occasion', { exact: true }).fill('Birthday');
  await page.getByLabel('Occasion date').fill(date);
  await page.getByLabel('Genre').selectOption('Indie pop');
  await page.getByLabel('Mood').selectOption('Joyful');
  await page.getByLabel('Story').fill('Maya learned to surf this summer.');
  await page.getByLabel('Language').selectOption('en');
  await expect.poll(() => page.getByTestId('story-counter').textContent()).toContain('33 / 2000');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
}

/** A fresh context signed in as a new user, on the form. */
async function signedInAtForm(vp: Viewport, who: string): Promise<Page> {
  const page = await (await newContext(vp)).newPage();
  await page.goto(`${base}/sign-in?next=/songs/new`);
  await signIn(page, email(vp, who));
  await page.waitForURL(`${base}/songs/new`);
  return page;
}

const orderStatus = (page: Page) => page.getByTestId('order-status');

describe.skipIf(!executablePath).each(VIEWPORTS)('in Chromium at $name size', (vp) => {
  let orderUrl: string;

  it('sign in → describe → pay → progress → swipe to variant 2 → choose → reload → the share link plays with no cookies', async () => {
    const page = await (await newContext(vp, { permissions: ['clipboard-read', 'clipboard-write'] })).newPage();
    await page.goto(base);
    await checkPage(page, vp, 'home');
    await page.getByRole('main').getByRole('link', { name: 'Create a song' }).click();
    await page.waitForURL(/\/sign-in\?/);
    await checkPage(page, vp, 'sign-in');
    await signIn(page, email(vp, 'buyer'));
    await page.waitForURL(`${base}/songs/new`);
    await checkPage(page, vp, 'songs-new');

    await describeSong(page);
    await page.waitForURL(/\/dev\/checkout\//);
    await checkPage(page, vp, 'dev-checkout');
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    // An exact UUID (8-4-4-4-12 hex), not /[0-9a-f-]{36}/, which also matches 36 dashes.
    await page.waitForURL(/\/orders\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\?checkout=success$/);
    orderUrl = page.url().split('?')[0]!;
    await expect.poll(() => orderStatus(page).getAttribute('data-generation'), { timeout: 60_000 }).toBe('complete');
    await expect.poll(() => orderStatus(page).textContent()).toBe('All three songs are ready');
    await expect.poll(() => page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('3');
    // the day entered is the day stored and shown, whatever the browser's time zone
    expect(await page.getByText('March 1, 2027').count()).toBe(1);
    const orderId = orderUrl.split('/').pop()!;
    expect((await db.pool.query('select occasion_date from public.orders where id = $1', [orderId])).rows[0].occasion_date).toBe('2027-03-01');
    await checkPage(page, vp, 'order-complete');

    // to variant 2: a pointer swipe on the phone, the arrow key on the laptop
    const deck = page.getByTestId('deck');
    if (vp.hasTouch) {
      const box = (await deck.boundingBox())!;
      const y = box.y + 24;
      await page.mouse.move(box.x + box.width * 0.8, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.2, y, { steps: 8 });
      await page.mouse.up();
    } else {
      await deck.focus();
      await page.keyboard.press('ArrowRight');
    }
    await expect.poll(() => page.getByTestId('deck-position').textContent()).toBe('2 of 3');
    await page.getByRole('button', { name: 'Next variant' }).click();
    await expect.poll(() => page.getByTestId('deck-position').textContent()).toBe('3 of 3');
    await page.getByRole('button', { name: 'Previous variant' }).click();
    await expect.poll(() => page.getByTestId('deck-position').textContent()).toBe('2 of 3');

    await page.getByTestId('variant-2').getByRole('button', { name: 'Choose this one' }).click();
    await expect.poll(() => page.getByTestId('variant-2').getByText('Your favourite').count()).toBe(1);
    await checkPage(page, vp, 'order-favourite');
    await page.reload();
    await expect.poll(() => page.getByTestId('variant-2').getByText('Your favourite').count()).toBe(1);
    expect(await page.getByTestId('variant-1').getByText('Your favourite').count()).toBe(0);

    const shareUrl = (await page.getByTestId('share-link').getAttribute('href'))!;
    expect(shareUrl.startsWith(`${base}/s/`), shareUrl).toBe(true);
    expect(isUuid(shareUrl.slice(`${base}/s/`.length)), shareUrl).toBe(true);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(shareUrl);

    await page.goto(`${base}/orders`);
    expect(await page.getByRole('link', { name: /Birthday for Maya/ }).count()).toBe(1);
    await checkPage(page, vp, 'orders');

    // a stranger: a fresh context with no cookies
    const stranger = await (await newContext(vp)).newPage();
    const res = await stranger.goto(shareUrl);
    expect(res!.status()).toBe(200);
    const duration = await stranger.waitForFunction(
      () => {
        const audio = document.querySelector('audio');
        return audio && Number.isFinite(audio.duration) && audio.duration > 0 ? audio.duration : false;
      },
      undefined,
      { timeout: 20_000 },
    );
    expect(await duration.jsonValue()).toBeGreaterThan(5);
    expect(await stranger.locator('meta[property="og:title"]').getAttribute('content')).toBe('A song for Maya');
    expect(await stranger.locator('meta[name="twitter:title"]').getAttribute('content')).toBe('A song for Maya');
    expect(await stranger.locator('meta[name="robots"]').getAttribute('content')).toBe('noindex, nofollow');
    expect(await stranger.content()).not.toContain('learned to surf');
    await checkPage(stranger, vp, 'shared-song');
  }, 180_000);

  it('a cancelled checkout keeps the form; a delayed payment shows "Waiting for your payment" until it clears', async () => {
    const page = await signedInAtForm(vp, 'delayed');
    await describeSong(page, '2027-12-31');
    // a cancelled checkout comes back to the form with its values
    await page.waitForURL(/\/dev\/checkout\//);
    await page.getByRole('link', { name: 'Cancel and go back' }).click();
    await page.waitForURL(/\/songs\/new\?from=/);
    expect(await page.getByLabel('Recipient').inputValue()).toBe('Maya');
    expect(await page.getByLabel('Occasion date').inputValue()).toBe('2027-12-31');
    expect(await page.getByLabel('Genre').inputValue()).toBe('Indie pop');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/dev\/checkout\//);
    await page.getByRole('button', { name: 'Pay with a delayed method' }).click();
    await page.waitForURL(/\/orders\//);
    await expect.poll(() => orderStatus(page).textContent()).toBe('Waiting for your payment');
    await checkPage(page, vp, 'order-waiting-for-payment');
    await expect.poll(() => orderStatus(page).getAttribute('data-generation'), { timeout: 60_000 }).toBe('complete');
    expect(await page.getByText('December 31, 2027').count()).toBe(1);
  }, 120_000);

  it('shows the API’s validation errors beside their fields', async () => {
    const page = await signedInAtForm(vp, 'form');
    await page.getByLabel('Story').fill('   ');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await expect.poll(() => page.getByTestId('error-recipientName').textContent()).toBe('Recipient is required');
    for (const [field, label] of [
      ['occasion', 'Occasion'],
      ['occasionDate', 'Occasion date'],
      ['story', 'Story'],
    ] as const) {
      const control = page.locator(`#${field}`);
      expect(await control.getAttribute('aria-invalid')).toBe('true');
      expect(await control.getAttribute('aria-describedby')).toContain(`${field}-error`);
      expect(await page.getByTestId(`error-${field}`).textContent()).toMatch(new RegExp(`^${label} `));
    }
    expect(await page.getByTestId('error-genre').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('recipientName');
    await checkPage(page, vp, 'songs-new-errors');
    expect(page.url()).toBe(`${base}/songs/new`);
  });

  it('another user’s order page says not found', async () => {
    const page = await (await newContext(vp)).newPage();
    await page.goto(`${base}/sign-in?next=${encodeURIComponent(new URL(orderUrl).pathname)}`);
    await signIn(page, email(vp, 'other'));
    await page.waitForURL(orderUrl);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Not found');
    expect(await page.getByTestId('deck').count()).toBe(0);
    const res = await page.reload();
    expect(res!.status()).toBe(404);
    await checkPage(page, vp, 'order-not-found');
  });

  it('refuses a cross-site POST that carries the session cookie', async () => {
    const context = await newContext(vp);
    const page = await context.newPage();
    await page.goto(`${base}/sign-in`);
    await signIn(page, email(vp, 'victim'));
    await page.waitForURL(`${base}/orders`);

    // Another origin on the same site (another port of localhost): the browser sends the SameSite=Lax cookie along.
    const evilPort = await anyFreePort();
    const target = `${base}/api/customizations`;
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>evil</title><script>
        fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({ recipientName: 'x', occasion: 'x', occasionDate: '2027-01-01', genre: 'x', mood: 'x', story: 'x' }) });
      </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(evilPort, 'localhost', resolve));
    try {
      const before = (await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n;
      const answer = page.waitForResponse((r) => r.url() === target);
      await page.goto(`http://localhost:${evilPort}/`);
      const response = await answer;
      // 403, not the 401 of a request without a session: the cookie went along, and the Origin check refused it
      expect(response.status()).toBe(403);
      expect((await db.pool.query('select count(*)::int as n from public.customizations')).rows[0].n).toBe(before);
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  it('with Supabase Auth configured: the magic link signs in, and the session cookie is httpOnly', async () => {
    const supabaseBase = supabaseServer.base;
    const page = await (await newContext(vp)).newPage();
    await page.goto(`${supabaseBase}/orders`);
    await page.waitForURL(/\/sign-in\?/);
    await checkPage(page, vp, 'sign-in-magic-link');
    const address = email(vp, 'magic');
    await page.getByLabel('Email').fill(address);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.waitForURL(/\/sign-in\?.*sent=1/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Check your email');
    await checkPage(page, vp, 'sign-in-email-sent');

    // the person opens the emailed link in the same browser: Supabase's /verify → our /auth/callback → /orders
    await page.goto(authStub.lastEmailTo(address)!.link);
    await page.waitForURL(`${supabaseBase}/orders`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your orders');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(1);
    const session = (await page.context().cookies()).find((c) => c.name === 'sb-songswipe-auth-token');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('sb-songswipe-auth-token');
  });
});
