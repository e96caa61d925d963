// Browser tests of the customer list's server side (issue 5): preferences
// that follow the user to another browser, saved views, rows selected by
// hand or "all that match" for bulk actions with their progress and the
// records not changed, and the export screen's downloads (CSV with BOM,
// Big5, XLSX, a selection). Screenshots as in ui.test.mjs; axe-core on each
// new screen.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startServer, assertStatus, listAll } from '../api/lib/server.mjs';
import { launchBrowser, openPage, signIn, screenshot, axeCheck } from './lib.mjs';

let srv, browser, admin;
const ids = {};
const cspErrors = [];

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }],
    users: [
      { name: 'alice', role: 'admin' }, { name: 'bob', role: 'admin' },
      { name: 'sam', role: 'sales', team: 'north' }, { name: 'mia', role: 'marketing', team: 'north' },
    ],
  });
  admin = srv.api('alice');
  for (const u of (await admin.get('/api/v1/users')).json.data) ids[u.name] = u.id;
  const mk = async (body) => assertStatus(await admin.post('/api/v1/customers', body), 201).json.id;
  ids.taipei = [];
  for (const [name, local] of [['Chen Da Wen', '陳大文'], ['Lin Mei', '林美'], ['Taipei Trading', '台北貿易']]) {
    ids.taipei.push(await mk({ name, local_name: local, city: '台北', country: 'TW', owner_id: ids.sam }));
  }
  ids.mia = await mk({ name: 'Mia Own Co', local_name: '米雅公司', city: '台北', owner_id: ids.mia });
  for (const [name, local, city] of [['Wang Xiaoming', '王小明', '广州'], ['Li Na', '李娜', '上海'], ['Anna Müller', null, 'Berlin']]) {
    await mk({ name, local_name: local, city, owner_id: ids.sam });
  }
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.close();
});

const names = (page) => page.locator('table.grid tbody tr td:nth-child(2)').allInnerTexts();
const rowCount = (page, n) => page.waitForFunction((k) => document.querySelectorAll('table.grid tbody tr').length === k, n);

test('preferences follow the user to another browser: language, theme, time zone, columns', async () => {
  const a = await openPage(browser, cspErrors);
  await signIn(a, srv, 'bob');
  await a.getByRole('button', { name: 'Columns' }).click();
  await a.getByRole('checkbox', { name: 'Country' }).check();
  await a.getByRole('columnheader', { name: 'Country' }).waitFor();
  await a.goto(`${srv.url}/#/preferences`);
  await a.locator('select[name=theme]').selectOption('dark');
  await a.getByLabel('Time zone').selectOption('Asia/Hong_Kong');
  await a.getByLabel('Language').selectOption('zh-Hant');
  await a.getByRole('heading', { name: '偏好設定' }).waitFor();
  // saved on the server (not only in this browser)
  await a.waitForFunction(async () => {
    const r = await fetch('/api/v1/auth/me/preferences');
    const p = await r.json();
    return p.locale === 'zh-Hant' && p.theme === 'dark' && p.time_zone === 'Asia/Hong_Kong' && (p.columns.customers || []).includes('country');
  });
  // another browser: a new context has no localStorage
  const b = await openPage(browser, cspErrors);
  await signIn(b, srv, 'bob', { heading: '客戶' });
  assert.equal(await b.evaluate(() => document.documentElement.lang), 'zh-Hant');
  assert.equal(await b.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await b.getByRole('columnheader', { name: '國家' }).waitFor();
  await b.goto(`${srv.url}/#/preferences`);
  assert.equal(await b.getByLabel('時區').inputValue(), 'Asia/Hong_Kong');
  await screenshot(b, '20-preferences-another-browser');
  await axeCheck(b, 'preferences in 繁體中文, dark, from the server');
  await b.getByLabel('語言').selectOption('en');
  await b.locator('select[name=theme]').selectOption('light');
  await b.getByRole('heading', { name: 'Preferences' }).waitFor();
  await a.context().close();
  await b.context().close();
});

let page; // alice's, through the tests below in order

/** Filter the list on one field (the filter form's first row). */
async function filterOn(p, field, op, value, rows) {
  if (await p.locator('select[name=ff-0]').count() === 0) await p.getByRole('button', { name: 'Add filter' }).click();
  await p.locator('select[name=ff-0]').selectOption(field);
  await p.locator('select[name=fo-0]').selectOption(op);
  await p.locator('input[name=fv-0]').fill(value);
  await p.getByRole('button', { name: 'Apply' }).click();
  await rowCount(p, rows);
}

async function download(p, click) {
  const [dl] = await Promise.all([p.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: fs.readFileSync(await dl.path()) };
}

test('save the list as a view; another browser opens the list with it; change, rename, delete', async () => {
  page = await openPage(browser, cspErrors);
  await signIn(page, srv, 'alice');
  await rowCount(page, 7);
  await filterOn(page, 'city', 'eq', '台北', 4);
  await page.getByRole('button', { name: 'Sort by Chinese name' }).click();
  await page.getByRole('button', { name: 'Save as view…' }).click();
  await page.getByLabel('Name of the view').fill('台北客戶');
  await page.getByRole('checkbox', { name: 'Open the list with this view' }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('View “台北客戶” saved.').waitFor();
  let saved = (await admin.get('/api/v1/views?entity=customers')).json.data;
  assert.deepEqual(saved.map((v) => [v.name, v.filters, v.sort, v.is_default]), [['台北客戶', ['city:eq:台北'], 'local_name', true]]);

  // another browser: the list opens with the default view
  const other = await openPage(browser, cspErrors);
  await signIn(other, srv, 'alice');
  await rowCount(other, 4);
  assert.equal(await other.getByLabel('Saved view').inputValue(), String(saved[0].id));
  assert.deepEqual((await other.locator('table.grid tbody tr td:nth-child(3)').allInnerTexts()).slice(0, 2), ['台北貿易', '林美'], 'sorted by Chinese name as saved (code points in English)');
  await screenshot(other, '21-list-saved-view');
  await axeCheck(other, 'the list opened with a saved view');
  await other.context().close();

  // a change: the view says the list differs; its changes can be saved into it
  await page.getByRole('button', { name: 'Sort by Chinese name' }).click();
  await page.getByText('The list differs from the view “台北客戶”.').waitFor();
  await page.getByRole('button', { name: 'Save changes to the view' }).click();
  await page.getByText('View “台北客戶” saved.').waitFor();
  saved = (await admin.get('/api/v1/views?entity=customers')).json.data;
  assert.equal(saved[0].sort, '-local_name');
  // no view: every customer; the view again: its records
  await page.getByLabel('Saved view').selectOption('');
  await rowCount(page, 7);
  await page.getByLabel('Saved view').selectOption(String(saved[0].id));
  await rowCount(page, 4);
  // rename, stop opening with it, delete (with a confirmation)
  await page.getByRole('button', { name: 'Rename…' }).click();
  await page.getByLabel('Name of the view').fill('台北 VIP');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByText('The view is now called “台北 VIP”.').waitFor();
  await page.getByRole('button', { name: 'Open the list with this view' }).click();
  await page.getByText('The list now opens without a saved view.').waitFor();
  assert.equal((await admin.get(`/api/v1/views/${saved[0].id}`)).json.is_default, false);
  // a second view of the same name is refused with a clear message
  await page.getByRole('button', { name: 'Save as view…' }).click();
  await page.getByLabel('Name of the view').fill('台北 VIP');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: 'You have a view with that name' }).waitFor();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Delete the view' }).click();
  await page.getByText('Delete the view “台北 VIP”? Only the view goes; no customer is changed.').waitFor();
  await screenshot(page, '22-delete-view');
  await axeCheck(page, 'deleting a saved view');
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByText('View “台北 VIP” deleted; no customer was changed.').waitFor();
  await rowCount(page, 7);
  assert.equal((await admin.get('/api/v1/views')).json.data.length, 0);
});

test('bulk: add a tag to rows picked by hand, with progress and the result', async () => {
  await page.getByRole('checkbox', { name: 'Select Chen Da Wen' }).check();
  await page.getByRole('checkbox', { name: 'Select Lin Mei' }).check();
  await page.getByText('2 selected').waitFor();
  await page.getByLabel('Tag', { exact: true }).fill('VIP 貴賓');
  await page.getByRole('button', { name: 'Apply to 2' }).click();
  await page.getByText('Done: every chosen customer has it now.').waitFor();
  await page.getByText('2 of 2 done: 2 changed, 0 had it already, 0 not changed.').waitFor();
  assert.equal(await page.getByRole('progressbar', { name: 'Progress of the bulk action' }).getAttribute('value'), '100');
  await screenshot(page, '23-bulk-done');
  await axeCheck(page, 'bulk action done');
  const tagged = await listAll(admin, 'customers', { filter: 'tags:contains:VIP 貴賓' });
  assert.deepEqual(tagged.map((c) => c.name).sort(), ['Chen Da Wen', 'Lin Mei']);
  assert.ok(tagged.every((c) => c.version === 2));
});

test('bulk: select all that match the filter, assign an owner', async () => {
  await page.getByRole('button', { name: 'Clear the selection' }).click();
  await filterOn(page, 'city', 'in', '广州,上海', 2);
  await page.getByRole('checkbox', { name: 'Select Li Na' }).check();
  await page.getByRole('button', { name: 'Select all that match the list' }).click();
  await page.getByText('All 2 customers that match the list are selected.').waitFor();
  assert.ok(await page.getByRole('checkbox', { name: 'Select Wang Xiaoming' }).isChecked());
  await page.getByLabel('Action', { exact: true }).selectOption('assign_owner');
  await page.getByLabel('New owner').selectOption({ label: 'bob' });
  await page.getByRole('button', { name: 'Apply to 2' }).click();
  await page.getByText('Done: every chosen customer has it now.').waitFor();
  const moved = await listAll(admin, 'customers', { filter: 'city:in:广州,上海' });
  assert.deepEqual(moved.map((c) => c.owner_id), [ids.bob, ids.bob]);
});

test('bulk as marketing: the customers it may not change are listed with the reason, not changed', async () => {
  const m = await openPage(browser, cspErrors);
  await signIn(m, srv, 'mia');
  await filterOn(m, 'city', 'eq', '台北', 4);
  await m.getByRole('checkbox', { name: 'Select every customer on this page' }).check();
  await m.getByText('4 selected').waitFor();
  await m.getByLabel('Tag', { exact: true }).fill('campaign');
  await m.getByRole('button', { name: 'Apply to 4' }).click();
  await m.getByText('4 of 4 done: 1 changed, 0 had it already, 3 not changed.').waitFor();
  await m.getByRole('heading', { name: 'Not changed' }).waitFor();
  assert.equal(await m.getByRole('cell', { name: 'You may see this customer but not change it.' }).count(), 3);
  await screenshot(m, '24-bulk-not-changed');
  await axeCheck(m, 'bulk action with customers not changed');
  assert.deepEqual((await listAll(admin, 'customers', { filter: 'tags:contains:campaign' })).map((c) => c.id), [ids.mia]);
  await m.context().close();
});

test('export: the list as CSV with BOM, in Big5, as XLSX; the selection; a Big5 file that cannot be made says why', async () => {
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await rowCount(page, 7);
  await filterOn(page, 'city', 'eq', '台北', 4);
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('heading', { name: 'Export customers' }).waitFor();
  await screenshot(page, '25-export');
  await axeCheck(page, 'the export screen');
  let f = await download(page, () => page.getByRole('button', { name: 'Download' }).click());
  assert.match(f.name, /^customers-\d{4}-\d\d-\d\d\.csv$/);
  assert.deepEqual([...f.bytes.subarray(0, 3)], [0xEF, 0xBB, 0xBF], 'UTF-8 with BOM');
  let lines = f.bytes.toString('utf8').slice(1).trim().split('\r\n');
  assert.equal(lines[0], 'id,name,local_name,city,relationship_type,updated_at', 'the columns shown');
  assert.equal(lines.length, 5);
  assert.ok(lines.some((l) => l.includes('陳大文')));
  await page.getByText(`Saved as ${f.name}.`).waitFor();

  await page.getByLabel('Text encoding').selectOption('big5');
  await page.getByRole('radio', { name: 'Every field' }).check();
  f = await download(page, () => page.getByRole('button', { name: 'Download' }).click());
  const big5 = new TextDecoder('big5').decode(f.bytes);
  assert.ok(big5.includes('陳大文') && big5.includes('台北貿易'), big5.slice(0, 300));
  assert.ok(big5.startsWith('id,kind,name'), 'every field');

  await page.getByRole('radio', { name: 'Excel workbook (XLSX)' }).check();
  f = await download(page, () => page.getByRole('button', { name: 'Download' }).click());
  assert.match(f.name, /\.xlsx$/);
  assert.equal(f.bytes.subarray(0, 2).toString(), 'PK');

  // the selection, as vCards
  await page.getByRole('checkbox', { name: 'Select Chen Da Wen' }).check();
  await page.getByRole('radio', { name: 'The 1 selected' }).check();
  await page.getByRole('radio', { name: 'vCard (address books, phones)' }).check();
  f = await download(page, () => page.getByRole('button', { name: 'Download' }).click());
  const cards = f.bytes.toString('utf8');
  assert.equal((cards.match(/BEGIN:VCARD/g) || []).length, 1);
  assert.match(cards, /FN:Chen Da Wen/);

  // Big5 has no ü (Anna Müller): what to do is said, nothing downloaded
  await page.getByRole('button', { name: 'Clear the selection' }).click();
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await rowCount(page, 7);
  await page.getByRole('radio', { name: 'CSV (Excel or any spreadsheet)' }).check();
  await page.getByLabel('Text encoding').selectOption('big5');
  await page.getByRole('button', { name: 'Download' }).click();
  await page.getByRole('alert').filter({ hasText: 'cannot write: choose UTF-8' }).filter({ hasText: 'U+00FC' }).waitFor();
});

test('the list\'s new parts in 简体中文', async () => {
  await page.getByLabel('Language').selectOption('zh-Hans');
  await page.getByRole('heading', { name: '客户', level: 1 }).waitFor();
  await page.getByRole('checkbox', { name: '选择 Chen Da Wen' }).check();
  await page.getByText('已选择 1 位').waitFor();
  await page.getByRole('heading', { name: '更改所选客户' }).waitFor();
  await page.getByRole('heading', { name: '导出客户' }).waitFor();
  await screenshot(page, '26-list-zh-Hans');
  await axeCheck(page, 'the list with selection and export in 简体中文');
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
});

test('no CSP violation or script error on any page', () => {
  assert.deepEqual(cspErrors, []);
});
