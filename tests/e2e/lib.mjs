// Helpers shared by the browser tests (tests/e2e/*.test.mjs): Debian's
// Chromium through playwright-core, a page that records script errors and
// CSP refusals, signing in through the form, screenshots, and axe-core.
//   CHROMIUM=/path/to/chromium   another browser binary (default /usr/bin/chromium)
//   UI_OUT=DIR                   where screenshots go (default build/test-output/screenshots/)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { REPO } from '../api/lib/server.mjs';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const OUT = process.env.UI_OUT || path.join(REPO, 'build/test-output/screenshots');
export const BROWSER = process.env.CHROMIUM || '/usr/bin/chromium';
export const T = 30000; // per wait (generous: the machine is shared)

/** Start the browser (playwright gives it a new empty profile itself). */
export async function launchBrowser() {
  assert.ok(fs.existsSync(BROWSER), `${BROWSER} not found: run scripts/deps.sh (installs Debian's chromium)`);
  fs.mkdirSync(OUT, { recursive: true });
  return chromium.launch({
    executablePath: BROWSER,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page in a new context (its own cookies: "another browser"); CSP
 *  refusals and script errors go to cspErrors, everything to page.gxLog. */
export async function openPage(browser, cspErrors, locale = 'en-GB') {
  const ctx = await browser.newContext({ locale, timezoneId: 'Asia/Taipei', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('console', (m) => { if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) cspErrors.push(m.text()); });
  page.on('pageerror', (e) => cspErrors.push('page error: ' + e.message));
  page.gxLog = [];
  page.on('console', (m) => page.gxLog.push(`${m.type()}: ${m.text()}`));
  page.on('requestfailed', (r) => page.gxLog.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) page.gxLog.push(`${r.status()} ${r.url()}`); });
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

/** Sign in through the form (in English) and wait for the customer list;
 *  heading: the list's heading in the language the user will see. */
export async function signIn(page, srv, name, { otp, heading = 'Customers' } = {}) {
  await page.goto(srv.url + '/');
  await page.getByLabel('User name').waitFor().catch(async (e) => {
    await screenshot(page, `failed-login-${name}`);
    throw new Error(`no sign-in form for ${name}: ${e.message}\npage text: ${await page.locator('body').innerText()}\n` +
      `console: ${(page.gxLog || []).join('\n')}`);
  });
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(srv.users[name].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (otp) {
    await page.getByLabel('Code from your authenticator app').fill(otp());
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

/** axe-core in the page (evaluated through the DevTools protocol, so the
 *  page's CSP, which forbids inline scripts, stays on): no serious or
 *  critical violation. */
export async function axeCheck(page, what) {
  const res = await page.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  }, AXE);
  assert.deepEqual(res, [], `axe on ${what}`);
}
