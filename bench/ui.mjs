#!/usr/bin/env node
// First screen of the web UI: time from navigating to / (signed in, the
// session cookie set) until the first page of the customer list is on
// screen, in Debian's Chromium (playwright-core) against `guanxi serve` with
// BENCH_UI_CUSTOMERS demo customers (default 100,000). Cold = a new browser
// context (empty cache); warm = a reload (hashed assets from the cache).
//   node bench/ui.mjs            (after make; run by hand, not by make bench)
import { chromium } from 'playwright-core';
import { startServer, cliOk } from '../tests/api/lib/server.mjs';

const N = Number(process.env.BENCH_UI_CUSTOMERS || 100000);
const ROUNDS = Number(process.env.BENCH_UI_ROUNDS || 7);
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const srv = await startServer({ users: [{ name: 'admin', role: 'admin' }] });
let browser;
try {
  await srv.stop();
  const t0 = Date.now();
  await cliOk(['demo', '--data', srv.dir, '--customers', String(N)], { timeoutMs: 600000 });
  console.log(`demo: ${N} customers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await srv.start();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const login = await fetch(srv.url + '/api/v1/auth/login', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'admin', password: srv.users.admin.password }),
  });
  const cookie = /gx_session=([^;]+)/.exec(login.headers.get('set-cookie'))[1];
  const cold = [], warm = [];
  for (let i = 0; i < ROUNDS; i++) {
    const ctx = await browser.newContext();
    await ctx.addCookies([{ name: 'gx_session', value: cookie, url: srv.url }]);
    const page = await ctx.newPage();
    let t = Date.now();
    await page.goto(srv.url + '/#/customers');
    await page.locator('table.grid tbody tr').nth(49).waitFor();
    cold.push(Date.now() - t);
    t = Date.now();
    await page.reload();
    await page.locator('table.grid tbody tr').nth(49).waitFor();
    warm.push(Date.now() - t);
    await ctx.close();
  }
  console.log(`first screen (50 rows of ${N}): cold median ${median(cold)} ms [${cold.join(', ')}], ` +
    `warm median ${median(warm)} ms [${warm.join(', ')}]`);
} finally {
  if (browser) await browser.close();
  await srv.close();
}
