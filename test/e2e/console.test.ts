/**
 * The web console in a real browser: Debian's Chromium (/usr/bin/chromium, never a downloaded one)
 * driven by playwright-core against a real rail over HTTP. Screenshots of every view land in
 * test-artifacts/console/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApiKey } from '../../src/rail/api-keys.js';
import { startTestRail, waitForResult, type TestRail } from '../helpers/rail.js';
import { ROOT } from '../helpers/serve-process.js';
import { registryWithRemoteKit } from '../helpers/test-tools.js';
import { eventually } from '../helpers/webhook-receiver.js';
import { packetOrder } from '../helpers/work-orders.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'console');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
/**
 * WCAG 2.x contrast of every visible text node against the background it is painted on
 * (the nearest ancestor with an opaque background). Runs in the page; answers the failures.
 */
const CONTRAST_SCRIPT = `(() => {
  const rgb = (c) => (c.match(/[0-9.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bgOf = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('[hidden], .visually-hidden, option, script, noscript')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none' || el.getClientRects().length === 0) continue;
    const fg = rgb(cs.color).slice(0, 3);
    const a = lum(fg), b = lum(bgOf(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) out.push(n.textContent.trim().slice(0, 40) + ' ' + ratio.toFixed(2));
  }
  return out;
})()`;

const haveChromium = existsSync(CHROMIUM);
const skip = haveChromium ? false : `no ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`;

if (!haveChromium) {
  if (process.env.CI === 'true') test('Chromium is installed for the console tests', () => assert.fail(`${CHROMIUM} is missing in CI`));
  else process.stderr.write(`console browser tests skipped: ${skip}\n`);
}

describe('console', { skip }, () => {
  let rail: TestRail;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A long, fixed backoff: a failed attempt stays in retry_wait until someone presses Retry.
    rail = await startTestRail({}, { registry: registryWithRemoteKit(200), backoff: { baseMs: 600_000, capMs: 600_000 }, random: () => 0.5 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await rail?.close();
  });

  async function open(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (/Content.Security.Policy/i.test(m.text())) pageErrors.push(`CSP: ${m.text()}`);
    });
    await page.goto(`${rail.url}/console`);
    return page;
  }

  /** Signs in with the keyboard only: the key field has focus, Enter submits. */
  async function signIn(page: Page, key: string): Promise<void> {
    await page.getByLabel('API key').waitFor();
    await page.keyboard.type(key);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Pulse', level: 1 }).waitFor();
  }

  /** Nothing scrolls sideways at phone width but the tables, inside their own boxes. */
  async function noSidewaysScroll(page: Page) {
    // A string, so this file needs no DOM types: it runs in the page.
    const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
    assert.ok(overflow <= 0, `${page.url()} is ${overflow}px wider than the phone`);
  }

  async function contrastOk(page: Page) {
    const failures = (await page.evaluate(CONTRAST_SCRIPT)) as string[];
    assert.deepEqual(failures, [], `text below WCAG AA contrast on ${page.url()}`);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const checkStatus = (page: Page, title: string) => page.locator(`[data-check="${title}"] .check-status`);

  let finishedId: string;

  test('the console is served with a strict CSP, and its files are found', async () => {
    const res = await fetch(`${rail.url}/console`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const js = await fetch(`${rail.url}/console/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal((await fetch(`${rail.url}/console/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } })).status, 304);
    assert.equal((await fetch(`${rail.url}/console/../package.json`)).status, 404);
    assert.equal((await fetch(`${rail.url}/console/nope.js`)).status, 404);
    const me = await rail.api('GET', '/v1/me');
    assert.deepEqual([me.body.object, me.body.tenant_id, me.body.scopes.includes('admin')], ['principal', 'default', true]);
    assert.equal((await rail.api('GET', '/v1/me', undefined, { key: null })).status, 401);
  });

  test('sign in, watch a work order reach succeeded live, and see both proof checks pass', { timeout: 90_000 }, async () => {
    const page = await open();
    await page.getByLabel('API key').fill(`br_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').locator('p').getByText('unknown or revoked').waitFor();
    await contrastOk(page);
    await shot(page, 'signin-refused');
    await page.getByLabel('API key').fill('');
    await signIn(page, rail.adminKey);

    // Hold packetops so the work order is still queued when the page opens it.
    await page.getByRole('button', { name: 'Pause tool packetops' }).click();
    await page.getByRole('button', { name: 'Resume tool packetops' }).waitFor();
    const submitted = await rail.api('POST', '/v1/work-orders', packetOrder(101));
    assert.equal(submitted.status, 202);
    const id: string = submitted.body.binding_id;
    finishedId = id;
    const packetRow = page.locator('tbody tr', { has: page.getByRole('rowheader', { name: /packetops/ }) });
    await packetRow.getByText('paused').waitFor();
    await eventually(async () => (await packetRow.locator('td').first().textContent()) === '1', 'one queued packetops binding on the pulse');
    await contrastOk(page);
    await shot(page, 'pulse');

    await page.getByRole('link', { name: 'Bindings' }).click();
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: id }) });
    await row.getByText('queued').waitFor();
    await contrastOk(page);
    await shot(page, 'explorer');
    await page.getByRole('link', { name: id }).click();
    await page.getByRole('heading', { name: `Binding ${id}` }).waitFor();
    await page.locator('.status-line').getByText('queued').waitFor();
    await page.locator('.timeline').getByText('binding.created').waitFor();
    await page.getByText('● live').waitFor();

    // The page learns the rest over its event stream: no reload from here on.
    assert.equal((await rail.api('POST', '/v1/queue/tools/packetops/resume')).status, 200);
    await page.locator('.status-line').getByText('succeeded').waitFor();
    await page.locator('.timeline').getByText('result.ready').waitFor();
    await page.locator('.chain-step', { hasText: 'Result' }).getByText('done').waitFor();
    await assertChecksPass(page);
    assert.equal((await page.locator('.receipts').getByText('✓ digest recomputed').count()) >= 1, true);
    await contrastOk(page);
    await shot(page, 'binding');
    await page.context().close();
  });

  async function assertChecksPass(page: Page) {
    await eventually(async () => (await checkStatus(page, 'Ledger inclusion').textContent()) === 'passed', 'ledger check passes');
    await eventually(async () => (await checkStatus(page, 'Attestation signature').textContent()) === 'passed', 'attestation check passes');
    assert.match((await page.locator('[data-check="Ledger inclusion"]').textContent()) ?? '', /leaf \d+ folds up to the signed root/);
    assert.match((await page.locator('[data-check="Attestation signature"]').textContent()) ?? '', /Ed25519 signature by key [0-9a-f]{16} verifies/);
  }

  test('a tampered attestation shows as failed in the page', { timeout: 60_000 }, async () => {
    const page = await open();
    await signIn(page, rail.adminKey);
    // Flip one byte of the signature on its way from the rail to the page.
    await page.route(`**/v1/bindings/${finishedId}/bundle`, async (route) => {
      const res = await route.fetch();
      const bundle = await res.json();
      const sig = Buffer.from(bundle.attestation.envelope.signatures[0].sig, 'base64');
      sig[10] = sig[10]! ^ 0x01;
      bundle.attestation.envelope.signatures[0].sig = sig.toString('base64');
      await route.fulfill({ response: res, json: bundle });
    });
    await page.goto(`${rail.url}/console#/bindings/${finishedId}`);
    await eventually(async () => (await checkStatus(page, 'Attestation signature').textContent()) === 'FAILED', 'attestation check fails');
    assert.match((await page.locator('[data-check="Attestation signature"]').textContent()) ?? '', /signature by key [0-9a-f]{16} does not verify/);
    assert.equal(await checkStatus(page, 'Ledger inclusion').textContent(), 'passed');
    await page.locator('.chain-step', { hasText: 'Attestation' }).getByText('failed').waitFor();
    await page.locator('#part-attestation').scrollIntoViewIfNeeded();
    await contrastOk(page);
    await shot(page, 'binding-tampered');
    await page.context().close();
  });

  test('a stuck binding is retried with one click; the callback kill switch flips', { timeout: 60_000 }, async () => {
    // A remote tool claims over HTTP and goes silent: its 200 ms lease expires into a long retry_wait.
    const id: string = (await rail.api('POST', '/v1/work-orders', { tool: 'remotekit', operation: 'work', inputs: { value: 'x' } })).body.binding_id;
    const claim = await rail.api('POST', '/v1/tool-tasks/claim', { tools: ['remotekit'], max: 1 });
    assert.equal(claim.body.tasks.length, 1);
    await eventually(async () => (await rail.api('GET', `/v1/bindings/${id}`)).body.state === 'retry_wait', 'retry_wait after the lease expired');

    const page = await open();
    await signIn(page, rail.adminKey);
    await page.getByLabel('waiting to retry longer than').fill('0');
    await page.getByRole('button', { name: 'Apply' }).click();
    const retry = page.getByRole('button', { name: `Retry now ${id}` });
    await retry.waitFor();
    await contrastOk(page);
    await shot(page, 'pulse-stuck');
    await retry.click();
    await retry.waitFor({ state: 'detached' });
    assert.equal((await rail.api('GET', `/v1/bindings/${id}`)).body.state, 'queued');
    const audit = (await rail.api('GET', '/v1/audit?limit=50')).body.data as any[];
    assert.ok(audit.some((a) => a.action === 'binding.retry' && a.target === id));

    await page.getByRole('button', { name: 'Stop all callbacks' }).click();
    await page.getByText('stopped (kill switch on)').waitFor();
    assert.equal((await rail.api('GET', '/v1/queue')).body.callbacks.paused, true);
    await page.getByRole('button', { name: 'Resume callbacks' }).click();
    await page.getByText('being sent').waitFor();
    assert.equal((await rail.api('GET', '/v1/queue')).body.callbacks.paused, false);
    await page.context().close();
    await rail.api('POST', `/v1/bindings/${id}/cancel`);
  });

  test('a read-only key is offered no actions; the views fit a phone', { timeout: 60_000 }, async () => {
    const { value } = await rail.runtime.store.write((tx) => createApiKey(tx, { tenantId: 'default', name: 'viewer', scopes: ['work:read'], now: Date.now() }));
    const page = await open(PHONE);
    await signIn(page, value);
    await page.getByText('Pause: needs admin').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /^Pause tool/ }).count(), 0);
    await noSidewaysScroll(page);
    await shot(page, 'pulse-phone');
    await page.goto(`${rail.url}/console#/bindings/${finishedId}`);
    await assertChecksPass(page);
    assert.equal(await page.getByRole('button', { name: /^Replay/ }).count(), 0);
    await page.getByText('Actions (cancel, retry, replay, redeliver) need a key with work:operate.').waitFor();
    await noSidewaysScroll(page);
    await shot(page, 'binding-phone');
    await page.goto(`${rail.url}/console#/bindings`);
    await page.getByRole('link', { name: finishedId }).waitFor();
    await noSidewaysScroll(page);
    await shot(page, 'explorer-phone');
    await page.context().close();
  });

  test('find by id: a work order or receipt id leads to its binding', { timeout: 60_000 }, async () => {
    const result = await waitForResult(rail, finishedId);
    const wo: string = (await rail.api('GET', `/v1/bindings/${finishedId}`)).body.work_order_id;
    const page = await open();
    await signIn(page, rail.adminKey);
    await page.goto(`${rail.url}/console#/bindings`);
    for (const id of [wo, result.receipts[0].receipt_id]) {
      await page.getByLabel('Find by id').fill(id);
      await page.getByLabel('Find by id').press('Enter');
      await page.getByRole('heading', { name: `Binding ${finishedId}` }).waitFor();
      await page.goBack();
    }
    await page.getByLabel('Find by id').fill('bnd_00000000000000000000000000000000');
    await page.getByLabel('Find by id').press('Enter');
    await page.getByRole('alert').locator('p').getByText('no binding bnd_00000000000000000000000000000000').waitFor();

    // Filters: by state with the form; by creation time (binding ids are UUIDv7, so a time is a cursor).
    await page.getByLabel('State').selectOption('succeeded');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('link', { name: finishedId }).waitFor();
    assert.match(page.url(), /#\/bindings\?state=succeeded$/);
    const states = await page.locator('tbody .badge').allTextContents();
    assert.ok(states.length > 0 && states.every((x) => x === 'succeeded'), states.join());
    await page.goto(`${rail.url}/console#/bindings?before=${new Date(Date.now() - 86_400_000).toISOString()}`);
    await page.getByText('No bindings match.').waitFor();
    await page.goto(`${rail.url}/console#/bindings?after=${new Date(Date.now() - 86_400_000).toISOString()}`);
    await page.getByRole('link', { name: finishedId }).waitFor();
    await page.context().close();
  });

  test('no view threw a script error or broke the Content-Security-Policy', () => {
    assert.deepEqual(pageErrors, []);
  });
});
