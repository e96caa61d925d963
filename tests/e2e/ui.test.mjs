// End-to-end tests of the web UI: Debian's Chromium driven by playwright-core
// against a real `guanxi serve` (tests/api/lib/server.mjs) with users in two
// teams and a few customers. Screenshots of each main screen go to
// $UI_OUT (default build/test-output/screenshots/); axe-core checks the main
// screens for serious or critical accessibility violations. The helpers are
// in tests/e2e/lib.mjs.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, assertStatus } from '../api/lib/server.mjs';
import { launchBrowser, openPage, signIn, screenshot, axeCheck } from './lib.mjs';

let srv, browser, admin;
const ids = {};
const cspErrors = [];

// RFC 6238 code for a step (node's HMAC, independent of the server's).
function totp(secret, step) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const key = [];
  for (const c of secret) {
    value = (value << 5) | abc.indexOf(c);
    bits += 5;
    if (bits >= 8) { key.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', Buffer.from(key)).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }, { name: 'south' }],
    users: [
      { name: 'alice', role: 'admin' },
      { name: 'sam', role: 'sales', team: 'north' },
      { name: 'stan', role: 'sales', team: 'south' },
      { name: 'tina', role: 'sales', team: 'north' },
      { name: 'mia', role: 'marketing', team: 'south' },
    ],
  });
  admin = srv.api('alice');
  const users = (await admin.get('/api/v1/users')).json.data;
  for (const u of users) ids[u.name] = u.id;
  const mk = async (body) => {
    const r = await admin.post('/api/v1/customers', body);
    assertStatus(r, 201);
    return r.json;
  };
  ids.kehu = (await mk({ kind: 'company', name: 'Kehu Trading', local_name: '客戶貿易有限公司', city: '台北', country: 'TW',
    phone: '+886 2 2345 6789', email: 'info@kehu.example', relationship_type: 'partner', owner_id: ids.sam })).id;
  ids.wang = (await mk({ name: 'Wang Xiaoming', local_name: '王小明', city: '广州', mobile: '+86 138 0013 8000', owner_id: ids.stan })).id;
  ids.wang2 = (await mk({ name: 'Wang Xiao Ming', local_name: '王小明', city: '广州', owner_id: ids.stan })).id;
  for (const [n, l, c] of [['Li Na', '李娜', '上海'], ['Chan Tai Man', '陳大文', '香港'], ['Zhang Wei', '张伟', '北京'], ['Anna Müller', null, 'Berlin']]) {
    await mk({ name: n, local_name: l, city: c, owner_id: ids.sam });
  }
  // names in Chinese characters: 李 li / 王 wang / 張 zhang; strokes 王 4, 李 7, 張 11
  for (const n of ['張三', '李四', '王五']) await mk({ name: n, tags: ['sorttest'], owner_id: ids.sam });
  assertStatus(await admin.post('/api/v1/interactions', { customer_id: ids.kehu, channel: 'email', direction: 'inbound', subject: '查詢帳單' }), 201);
  // tina has a second factor
  const tina = srv.api('tina');
  const s = await tina.post('/api/v1/auth/totp/setup');
  assertStatus(s, 200);
  ids.tinaSecret = s.json.secret;
  assertStatus(await tina.post('/api/v1/auth/totp/enable', { code: totp(s.json.secret, Math.floor(Date.now() / 30000)) }), 204);

  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.close();
});

const newPage = (locale) => openPage(browser, cspErrors, locale);
const login = (p, name, opts) => signIn(p, srv, name, opts);
const shot = screenshot;
const axe = axeCheck;

let page; // alice's page, through the tests below in order

test('the app is served by guanxi itself: CSP, content types, caching', async () => {
  const r = await fetch(srv.url + '/', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(r.headers.get('cache-control'), 'no-cache');
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  const js = /src="(\/assets\/[^"]+\.js)"/.exec(html)[1];
  const a = await fetch(srv.url + js, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(a.status, 200);
  assert.match(a.headers.get('content-type'), /^text\/javascript/);
  assert.match(a.headers.get('cache-control'), /immutable/);
  assert.equal((await fetch(srv.url + '/assets/nope.js')).status, 404);
  // the whole app, gzipped as served: at most 500 kB (issue 5)
  let gz = html.length;
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    const f = await fetch(srv.url + m[1], { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(f.headers.get('content-encoding'), 'gzip', m[1]);
    gz += Number(f.headers.get('content-length'));
    await f.arrayBuffer();
  }
  assert.ok(gz > 1000 && gz <= 500 * 1024, `gzipped app ${gz} bytes`);
  console.log(`# gzipped app as served: ${gz} bytes`);
});

test('sign in as an admin: the customer list, navigation for the role', async () => {
  page = await newPage();
  await page.goto(srv.url + '/');
  await page.getByRole('heading', { name: 'Sign in to Guanxi' }).waitFor();
  await shot(page, '01-login');
  await axe(page, 'sign-in');
  // a wrong password says what to do
  await page.getByLabel('User name').fill('alice');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'Check them' }).waitFor();
  await login(page, 'alice');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const item of ['Customers', 'Users', 'Roles', 'Custom fields', 'Audit log']) await nav.getByRole('link', { name: item }).waitFor();
  await page.getByRole('link', { name: '客戶貿易有限公司' }).waitFor();
  await shot(page, '02-customers');
  await axe(page, 'customer list');
});

test('search 客户 finds 客戶 (Ctrl-K, highlight, Enter opens the record)', async () => {
  await page.keyboard.press('Control+k');
  const box = page.getByRole('combobox', { name: /Search customers/ });
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'Ctrl-K focuses the search box');
  await box.pressSequentially('客户');
  await page.getByRole('option', { name: /客戶貿易有限公司/ }).first().waitFor();
  await shot(page, '03-search');
  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: /客戶貿易有限公司/ }).waitFor();
  assert.match(page.url(), new RegExp(`#/customers/${ids.kehu}$`));
  await page.getByText('查詢帳單').waitFor();
  await shot(page, '04-customer-360');
  await axe(page, 'customer 360');
});

test('identifier lookup from the same box: a phone number however written', async () => {
  const box = page.getByRole('combobox', { name: /Search customers/ });
  await box.fill('');
  await box.pressSequentially('+86 13800138000');
  await page.getByRole('option', { name: /Identifier match.*王小明/ }).waitFor();
  await box.fill('');
  await page.goto(`${srv.url}/#/customers/${ids.kehu}`);
  await page.getByRole('heading', { level: 1, name: /客戶貿易有限公司/ }).waitFor();
});

test('log a phone call in two clicks and see it on the timeline', async () => {
  await page.getByRole('button', { name: 'Log: Phone call' }).click();
  await page.getByLabel('Subject').fill('回訪電話 e2e');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Interaction logged.' }).waitFor();
  const tl = page.locator('ol.timeline');
  await tl.getByText('回訪電話 e2e').waitFor();
  // the channel filter
  await page.getByRole('button', { name: /^Phone call \(1\)$/ }).click();
  assert.equal(await tl.getByText('查詢帳單').count(), 0);
  await tl.getByText('回訪電話 e2e').waitFor();
  await page.getByRole('button', { name: /^All channels/ }).click();
  const r = await admin.get(`/api/v1/interactions?filter=customer_id:eq:${ids.kehu}&filter=channel:eq:phone`);
  assert.equal(r.json.data.length, 1);
  assert.equal(r.json.data[0].subject, '回訪電話 e2e');
});

test('edit a field that another session changed: the conflict is shown, then resolved', async () => {
  await page.getByRole('button', { name: 'Edit City' }).click();
  await page.locator('#edit-city').fill('高雄');
  // meanwhile, sam (the owner) changes the city through the API
  assertStatus(await srv.api('sam').patch(`/api/v1/customers/${ids.kehu}`, { city: '台中' }), 200);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed this customer' });
  await alert.waitFor();
  assert.equal(await alert.locator('td.theirs').innerText(), '台中');
  assert.equal(await alert.locator('td.mine').innerText(), '高雄');
  assert.match(await alert.innerText(), /sam/);
  await shot(page, '05-conflict');
  await alert.getByRole('button', { name: 'Save mine' }).click();
  await page.locator('[data-field="city"]').filter({ hasText: '高雄' }).waitFor();
  assert.equal((await admin.get(`/api/v1/customers/${ids.kehu}`)).json.city, '高雄');
});

test('duplicates: merge and undo', async () => {
  await page.goto(`${srv.url}/#/customers/${ids.wang}`);
  await page.getByRole('heading', { level: 1, name: /王小明/ }).waitFor();
  const dups = page.locator('section', { has: page.getByRole('heading', { name: 'Possible duplicates' }) });
  await dups.getByRole('link', { name: '王小明' }).waitFor();
  page.once('dialog', (d) => d.accept());
  await dups.getByRole('button', { name: 'Merge into this customer' }).click();
  await dups.getByRole('status').filter({ hasText: 'Merged' }).waitFor();
  assert.equal((await admin.get(`/api/v1/customers/${ids.wang2}`)).status, 404);
  await shot(page, '06-merged');
  await dups.getByRole('button', { name: 'Undo merge' }).click();
  await dups.getByRole('status').filter({ hasText: 'Merge undone.' }).waitFor();
  assert.equal((await admin.get(`/api/v1/customers/${ids.wang2}`)).status, 200);
});

test('filter, and names sort by the UI language; switch to 简体中文 and back', async () => {
  await page.goto(`${srv.url}/#/customers`);
  await page.getByRole('heading', { name: 'Customers' }).waitFor();
  // the first cell after the row's checkbox (a selectable list) holds the name
  const names = async () => page.locator('table.grid tbody tr td:not(.pick):nth-child(-n+2)').allInnerTexts();
  await page.getByRole('button', { name: 'Add filter' }).click();
  await page.locator('select[name=ff-0]').selectOption('tags');
  await page.locator('select[name=fo-0]').selectOption('contains');
  await page.locator('input[name=fv-0]').fill('sorttest');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 3);
  assert.deepEqual(await names(), ['張三', '李四', '王五'], 'English: code point order for Han names');
  await page.getByLabel('Language').selectOption('zh-Hans');
  await page.getByRole('heading', { name: '客户', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: '主菜单' }).getByRole('link', { name: '客户' }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-Hans');
  await page.waitForFunction(() => document.querySelector('table.grid tbody tr td:not(.pick)')?.innerText === '李四');
  assert.deepEqual(await names(), ['李四', '王五', '張三'], '简体中文: pinyin');
  await shot(page, '07-customers-zh-Hans');
  await axe(page, 'customer list in 简体中文');
  await page.getByLabel('语言').selectOption('zh-Hant');
  await page.getByRole('heading', { name: '客戶', level: 1 }).waitFor();
  await page.waitForFunction(() => document.querySelector('table.grid tbody tr td:not(.pick)')?.innerText === '王五');
  assert.deepEqual(await names(), ['王五', '李四', '張三'], '繁體中文: strokes');
  await page.getByLabel('語言').selectOption('en');
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
});

test('choose columns (kept for the user); dark theme; the time zone moves every time shown', async () => {
  await page.goto(`${srv.url}/#/preferences`);
  await page.goto(`${srv.url}/#/customers`); // a new list: no filter
  await page.getByRole('button', { name: 'Columns' }).click();
  await page.getByRole('checkbox', { name: 'Country' }).check();
  await page.getByRole('columnheader', { name: 'Country' }).waitFor();
  await page.getByRole('cell', { name: 'TW', exact: true }).waitFor();
  await page.reload();
  await page.getByRole('columnheader', { name: 'Country' }).waitFor();
  const updated = async () => {
    const heads = await page.locator('table.grid thead th').allInnerTexts();
    const i = heads.findIndex((x) => x.startsWith('Updated'));
    return page.locator('table.grid tbody tr', { hasText: 'Kehu Trading' }).locator('td').nth(i).innerText();
  };
  const inTaipei = await updated();
  await page.goto(`${srv.url}/#/preferences`);
  await page.locator('select[name=theme]').selectOption('dark');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.getByLabel('Time zone').selectOption('America/New_York');
  await page.goto(`${srv.url}/#/customers`);
  await page.getByRole('link', { name: 'Kehu Trading' }).waitFor();
  const inNewYork = await updated();
  assert.notEqual(inNewYork, inTaipei, 'the time zone changes the times shown');
  const h = (s) => Number(/(\d\d):\d\d$/.exec(s)[1]);
  assert.equal((h(inTaipei) - h(inNewYork) + 24) % 24, 13, `${inTaipei} in Taipei is ${inNewYork} in New York`);
  await page.goto(`${srv.url}/#/preferences`);
  await shot(page, '08-preferences-dark');
  await axe(page, 'preferences, dark');
  await page.locator('select[name=theme]').selectOption('light');
});

test('admin screens; add a custom field, fill it in on a customer, filter on it', async () => {
  for (const [hash, heading, file] of [['#/admin/users', 'Users', '09-users'], ['#/admin/roles', 'Roles and permissions', '10-roles'],
    ['#/admin/audit', 'Audit log', '12-audit']]) {
    await page.goto(srv.url + '/' + hash);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.locator('table.grid tbody tr').first().waitFor();
    await shot(page, file);
  }
  await page.getByRole('cell', { name: 'login' }).first().waitFor();
  await page.goto(srv.url + '/#/admin/fields');
  await page.getByRole('heading', { name: 'Custom fields of customers', level: 1 }).waitFor();
  await page.getByLabel('Field name').fill('vip_level');
  await page.getByLabel('Label').fill('VIP level');
  await page.getByLabel('Type', { exact: true }).selectOption('integer');
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.getByRole('status').filter({ hasText: 'Field added' }).waitFor();
  await page.getByRole('cell', { name: 'vip_level', exact: true }).waitFor();
  await shot(page, '11-fields');
  await page.goto(`${srv.url}/#/customers/${ids.kehu}`);
  await page.getByRole('button', { name: 'Edit VIP level' }).click();
  await page.locator('#edit-vip_level').fill('3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('[data-field="vip_level"]').filter({ hasText: '3' }).waitFor();
  assert.equal((await admin.get(`/api/v1/customers/${ids.kehu}`)).json.vip_level, 3);
  await page.goto(`${srv.url}/#/customers`);
  await page.getByRole('button', { name: 'Add filter' }).click();
  await page.locator('select[name=ff-0]').selectOption('vip_level');
  await page.locator('select[name=fo-0]').selectOption('ge');
  await page.locator('input[name=fv-0]').fill('2');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 1);
  await page.getByRole('link', { name: 'Kehu Trading' }).waitFor();
});

test('import a small CSV with one bad row: progress, the rejected row, its download', async () => {
  await page.goto(srv.url + '/#/import');
  await page.getByRole('heading', { name: 'Import customers', level: 1 }).waitFor();
  const csv = '\ufeff姓名,城市,電郵\n導入一,上海,one@example.com\n導入二,北京,not-an-email\n導入三,深圳,three@example.com\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'three.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('heading', { name: 'First rows of the file' }).waitFor();
  await page.getByRole('cell', { name: '導入二', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: /Import \d+ — done/ }).waitFor();
  await page.getByText('3 of 3 rows: 2 created, 0 updated, 0 skipped, 1 rejected.').waitFor();
  const row = page.locator('table.grid tbody tr').filter({ hasText: /email/ });
  assert.equal(await row.locator('td').first().innerText(), '3');
  await shot(page, '14-import');
  await axe(page, 'import');
  const href = await page.getByRole('link', { name: 'Download the rejected rows (CSV)' }).getAttribute('href');
  const rej = await page.request.get(srv.url + href);
  assert.equal(rej.status(), 200);
  const text = await rej.text();
  assert.match(text, /導入二/);
  assert.doesNotMatch(text, /導入一/);
  assert.equal((await admin.get('/api/v1/customers?filter=name:eq:導入一')).json.data.length, 1);
});

test('a sales user sees their own customers, not another team\'s; no admin navigation', async () => {
  const p = await newPage();
  await login(p, 'stan');
  await p.getByRole('link', { name: '王小明' }).first().waitFor();
  assert.equal(await p.getByRole('link', { name: '客戶貿易有限公司' }).count(), 0);
  const nav = p.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Users' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);
  const box = p.getByRole('combobox', { name: /Search customers/ });
  await box.pressSequentially('客户');
  await p.getByText(/Nothing found for “客户”/).waitFor();
  await p.goto(`${srv.url}/#/customers/${ids.kehu}`);
  await p.getByRole('alert').filter({ hasText: 'Not found' }).waitFor();
  await shot(p, '13-sales-not-found');
  await p.getByRole('button', { name: 'Sign out' }).click();
  await p.getByRole('heading', { name: 'Sign in to Guanxi' }).waitFor();
  await p.context().close();
});

test('personal data masked for marketing, shown in full by an audited reveal', async () => {
  const p = await newPage();
  await login(p, 'mia');
  await p.goto(`${srv.url}/#/customers/${ids.kehu}`);
  await p.getByText('Personal data is masked for your role.').waitFor();
  const email = p.locator('[data-field="email"]');
  assert.match(await email.innerText(), /\*{3}/);
  assert.equal(await p.getByRole('button', { name: 'Edit E-mail' }).count(), 0, 'a masked value is not offered for editing');
  await p.getByRole('button', { name: 'Show personal data' }).click();
  await p.getByRole('status').filter({ hasText: 'recorded in the audit log' }).waitFor();
  assert.equal(await email.innerText(), 'info@kehu.example');
  await p.getByRole('cell', { name: '+886 2 2345 6789' }).waitFor();
  const audit = await admin.get('/api/v1/audit?action=reveal&user=mia');
  assert.ok(audit.json.data.length >= 2, `reveals in the audit log: ${audit.text.slice(0, 300)}`);
  await p.context().close();
});

test('sign in with the second factor', async () => {
  const p = await newPage();
  await login(p, 'tina', { otp: () => totp(ids.tinaSecret, Math.floor(Date.now() / 30000) + 1) });
  await p.context().close();
});

test('no CSP violation or script error on any page', () => {
  assert.deepEqual(cspErrors, []);
});
