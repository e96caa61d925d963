// Browser tests of the admin screens that edit (users, teams, the permission
// table, custom fields, the audit log), the import screen's column mapping
// and search highlighting across scripts: Debian's Chromium through
// playwright-core against a real `guanxi serve`, with screenshots and
// axe-core checks like tests/e2e/ui.test.mjs.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertStatus } from '../api/lib/server.mjs';
import { axeCheck as axe, launchBrowser, openPage, screenshot as shot, signIn } from './lib.mjs';

let srv, browser, admin, page;
const ids = {};
const errors = [];
const lin = { name: '林小姐' };

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }],
    users: [{ name: 'alice', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' }],
  });
  admin = srv.api('alice');
  for (const u of (await admin.get('/api/v1/users')).json.data) ids[u.name] = u.id;
  const c = await admin.post('/api/v1/customers', { kind: 'company', name: 'Kehu Trading', local_name: '王客戶', city: '台北', owner_id: ids.sam });
  assertStatus(c, 201);
  ids.kehu = c.json.id;
  assertStatus(await admin.post('/api/v1/customers', { name: 'Wang Xiaoming', local_name: '王小明', city: '广州', mobile: '+86 138 0013 8000' }), 201);
  browser = await launchBrowser();
  page = await openPage(browser, errors);
  await signIn(page, srv, 'alice');
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.close();
});

test('teams: add one and one below it, rename; the screen passes axe', async () => {
  await page.goto(srv.url + '/#/admin/teams');
  await page.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
  await page.getByLabel('Team name').fill('華南區');
  await page.getByRole('button', { name: 'Add team' }).click();
  await page.getByRole('status').filter({ hasText: 'Team 華南區 added' }).waitFor();
  await page.getByLabel('Team name').fill('深圳組');
  await page.locator('#team-parent').selectOption({ label: '華南區' });
  await page.getByRole('button', { name: 'Add team' }).click();
  await page.getByRole('status').filter({ hasText: 'Team 深圳組 added' }).waitFor();
  const sub = page.locator('tr[data-team="深圳組"]');
  assert.equal(await sub.getByRole('combobox').inputValue(), String((await admin.get('/api/v1/teams?filter=name:eq:華南區')).json.data[0].id));
  // a team cannot be put below itself: its own subtree is not offered
  const south = page.locator('tr[data-team="華南區"]');
  assert.deepEqual(await south.getByRole('combobox').locator('option').allInnerTexts(), ['(top level)', 'north']);
  await sub.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name for 深圳組').fill('深圳组');
  await sub.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Renamed to 深圳组' }).waitFor();
  assert.equal((await admin.get('/api/v1/teams?filter=name:eq:深圳组')).json.data.length, 1);
  await shot(page, '20-teams');
  await axe(page, 'teams');
});

test('users: create one in a team with a generated password, who then signs in', async () => {
  await page.goto(srv.url + '/#/admin/users');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  await page.locator('input[name=new_name]').fill(lin.name);
  await page.getByRole('button', { name: 'Generate' }).click();
  lin.password = await page.locator('#new-password').inputValue();
  assert.equal(lin.password.length, 16);
  await page.locator('#new-role').selectOption('sales');
  await page.locator('#new-team').selectOption({ label: '華南區' });
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('status').filter({ hasText: `User ${lin.name} created` }).waitFor();
  const row = page.locator(`tr[data-user="${lin.name}"]`);
  await row.waitFor();
  assert.equal(await row.getByLabel(`Team of ${lin.name}`).locator('option:checked').innerText(), '華南區');
  const u = (await admin.get('/api/v1/users')).json.data.find((x) => x.name === lin.name);
  ids.lin = u.id;
  assert.equal(u.role, 'sales');
  // a name already taken says what to do
  await page.locator('input[name=new_name]').fill('sam');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.getByRole('button', { name: 'Create user' }).click();
  await page.getByRole('alert').filter({ hasText: 'Choose another name' }).waitFor();
  await shot(page, '21-users');
  await axe(page, 'users');

  // signIn takes the password from srv.users, as for the users the test server made
  srv.users[lin.name] = { name: lin.name, role: 'sales', password: lin.password };
  lin.page = await openPage(browser, errors);
  await signIn(lin.page, srv, lin.name);
  await lin.page.getByText(`Signed in as ${lin.name} (Sales)`).waitFor();
  await lin.page.getByText('No customers match').waitFor();
});

test('the permission table: sales may read all customers, and 林小姐 sees them at once', async () => {
  await page.goto(srv.url + '/#/admin/roles');
  await page.getByRole('heading', { name: 'Roles and permissions', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Sales', exact: true }).click();
  const cell = page.getByLabel('Sales: read Customer', { exact: true });
  assert.equal(await cell.inputValue(), 'own');
  await cell.selectOption('all');
  await page.getByRole('status').filter({ hasText: 'Saved: Sales may read Customer: all' }).waitFor();
  await shot(page, '22-roles');
  await axe(page, 'roles');
  const table = (await admin.get('/api/v1/roles')).json.data.find((r) => r.role === 'sales');
  assert.equal(table.entities.customers.read, 'all');
  await lin.page.reload();
  await lin.page.getByRole('link', { name: 'Kehu Trading' }).waitFor();
  // the administrator's own row is not offered for change
  await page.getByRole('button', { name: 'Administrator' }).click();
  await page.getByText('The administrator role cannot be changed').waitFor();
  assert.equal(await page.locator('table.perms select').count(), 0);
});

test('disable and enable a user; reset a password', async () => {
  await page.goto(srv.url + '/#/admin/users');
  const row = page.locator(`tr[data-user="${lin.name}"]`);
  await row.getByRole('button', { name: 'Disable' }).click();
  await page.getByRole('status').filter({ hasText: `${lin.name} is disabled` }).waitFor();
  await row.getByText('Disabled', { exact: true }).waitFor();
  // the open session ended: the next request sends 林小姐 to the sign-in form
  await lin.page.reload();
  await lin.page.getByRole('heading', { name: 'Sign in to Guanxi' }).waitFor();
  await lin.page.getByLabel('User name').fill(lin.name);
  await lin.page.getByLabel('Password').fill(lin.password);
  await lin.page.getByRole('button', { name: 'Sign in' }).click();
  await lin.page.getByRole('alert').filter({ hasText: 'This account is disabled. Ask an administrator' }).waitFor();
  await row.getByRole('button', { name: 'Enable' }).click();
  await page.getByRole('status').filter({ hasText: `${lin.name} is enabled` }).waitFor();
  await row.getByRole('button', { name: 'Reset password' }).click();
  const pw = await page.getByLabel(`New password for ${lin.name}`).inputValue();
  assert.equal(pw.length, 16);
  await page.getByRole('button', { name: 'Set password', exact: true }).click();
  await page.getByRole('status').filter({ hasText: `New password set for ${lin.name}` }).waitFor();
  srv.users[lin.name].password = pw;
  await signIn(lin.page, srv, lin.name);
  await lin.page.getByRole('link', { name: 'Kehu Trading' }).waitFor();
});

test('a team with a member cannot be deleted (the screen says what to do); an empty one can', async () => {
  await page.goto(srv.url + '/#/admin/teams');
  page.once('dialog', (d) => d.accept());
  await page.locator('tr[data-team="華南區"]').getByRole('button', { name: 'Delete' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Move them to another team first' });
  await alert.waitFor();
  assert.match(await alert.innerText(), /1 user, 1 team below it/);
  await shot(page, '23-team-not-empty');
  page.once('dialog', (d) => d.accept());
  await page.locator('tr[data-team="深圳组"]').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('status').filter({ hasText: 'Team 深圳组 deleted' }).waitFor();
  assert.equal(await page.locator('tr[data-team="深圳组"]').count(), 0);
});

test('custom fields: add one, then delete it after confirming', async () => {
  await page.goto(srv.url + '/#/admin/fields');
  await page.getByLabel('Field name').fill('wechat_id');
  await page.getByLabel('Label').fill('WeChat ID');
  await page.getByRole('button', { name: 'Add field' }).click();
  await page.getByRole('cell', { name: 'wechat_id', exact: true }).waitFor();
  let asked = '';
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  await page.getByRole('button', { name: 'Delete field wechat_id' }).click();
  assert.match(asked, /Delete the field wechat_id\?/);
  assert.ok((await admin.get('/api/v1/meta/entities/customers/fields')).json.data.some((f) => f.name === 'wechat_id'), 'cancelled: kept');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Delete field wechat_id' }).click();
  await page.getByRole('status').filter({ hasText: 'Field wechat_id deleted' }).waitFor();
  assert.ok(!(await admin.get('/api/v1/meta/entities/customers/fields')).json.data.some((f) => f.name === 'wechat_id'));
});

test('the audit log: filter by user, record type, record and days; page through', async () => {
  await page.goto(srv.url + '/#/admin/audit');
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await page.locator('table.grid tbody tr').first().waitFor();
  // what alice did to teams: the team added, renamed, deleted
  await page.locator('#au-user').selectOption('alice');
  await page.locator('#au-entity').selectOption('teams');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('cell', { name: 'name: 深圳組 → 深圳组' }).waitFor();
  // the rename may already show on the unfiltered page, which the filtered
  // one then replaces: wait for the page whose rows are all alice's
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table.grid tbody tr')];
    const col = (n) => rows.map((tr) => tr.children[n].innerText);
    const a = col(2);
    return rows.length > 0 && col(1).every((u) => u === 'alice') &&
      a.includes('create') && a.includes('update') && a.includes('delete');
  }, null, { timeout: 10000 });
  const actions = await page.locator('table.grid tbody tr td:nth-child(3)').allInnerTexts();
  assert.ok(actions.includes('create') && actions.includes('update') && actions.includes('delete'), actions.join());
  // one record
  const sz = (await admin.get('/api/v1/teams?deleted=true&filter=name:eq:深圳组')).json.data[0].id;
  await page.getByLabel('Record ID').fill(String(sz));
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 3);
  // days: a day range in the future finds nothing; the days in the wrong order are refused here
  await page.getByLabel('From (day)').fill('2099-01-02');
  await page.getByLabel('To (day)').fill('2099-01-01');
  await page.getByRole('alert').filter({ hasText: 'Swap them' }).waitFor();
  await page.getByLabel('To (day)').fill('2099-01-03');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByText('Nothing in the log matches').waitFor();
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Taipei' });
  await page.getByLabel('From (day)').fill(today);
  await page.getByLabel('To (day)').fill(today);
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 3);
  await shot(page, '24-audit-filtered');
  await axe(page, 'audit log');
  // paging: 40 more changes of one customer, 50 entries a page
  for (let i = 0; i < 40; i++) assertStatus(await admin.patch(`/api/v1/customers/${ids.kehu}`, { notes: `第 ${i} 次` }), 200);
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.locator('#au-entity').selectOption('customers');
  await page.getByLabel('Record ID').fill(String(ids.kehu));
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 41).catch(async (e) => {
    await shot(page, 'failed-audit');
    throw new Error(e.message + ' rows: ' + await page.locator('table.grid tbody tr').count() + ' ' + page.url());
  });
  await page.getByRole('link', { name: String(ids.kehu) }).first().waitFor();
  await page.locator('#au-entity').selectOption('');
  await page.getByLabel('Record ID').fill('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForFunction(() => document.querySelectorAll('table.grid tbody tr').length === 50);
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.getByText('Page 2').waitFor();
  await page.getByRole('button', { name: 'Previous page' }).click();
  await page.getByText('Page 1').waitFor();
});

test('import: Chinese headers mapped, a bad row flagged before running, a column chosen by hand; run, download the rejected rows', async () => {
  await page.goto(srv.url + '/#/import');
  await page.getByRole('heading', { name: 'Import customers', level: 1 }).waitFor();
  const csv = '\ufeff姓名,電話,电子邮件,城市,備考\n' +
    '導入甲,+86 139 0000 0001,jia@example.cn,广州,VIP 介紹\n' +
    '導入乙,02 2345 0002,not-an-email,台北,\n' +
    '導入丙,(852) 9123 0003,bing@example.hk,香港,老客戶\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'chinese.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('heading', { name: 'Columns of the file' }).waitFor();
  // suggested from the headers; the unknown one left out
  assert.equal(await page.getByLabel('姓名').inputValue(), 'name');
  assert.equal(await page.getByLabel('電話').inputValue(), 'phone');
  assert.equal(await page.getByLabel('电子邮件').inputValue(), 'email');
  assert.equal(await page.getByLabel('備考').inputValue(), '');
  await page.getByText('UTF-8, 3 rows.').waitFor();
  // the bad row is flagged before anything runs, with its reason and cell
  const bad = page.locator('table.preview-rows tr.outcome-reject');
  await bad.getByRole('cell', { name: '導入乙' }).waitFor();
  assert.equal(await bad.locator('td.bad-cell').innerText(), 'not-an-email');
  await page.getByText(/Rejected: .*email/).waitFor();
  await page.getByText('Of the first 3 rows: 2 to create, 0 to update, 0 to skip, 1 rejected.').waitFor();
  assert.equal((await admin.get('/api/v1/customers?filter=name:eq:導入甲')).json.data.length, 0, 'a preview saves nothing');
  // two columns to one field: said at once, and the import is held back
  await page.getByLabel('城市').selectOption('name');
  await page.getByText('Also chosen for 姓名, 城市').first().waitFor();
  await page.getByRole('alert').filter({ hasText: 'The columns cannot be imported as chosen' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Import', exact: true }).isDisabled(), true);
  await page.getByLabel('城市').selectOption('city');
  // the unknown column chosen by hand: previewed again with it
  await page.getByLabel('備考').selectOption('notes');
  await page.locator('table.preview-rows th', { hasText: '備考' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('[role=alert]'));
  await shot(page, '25-import-mapping');
  await axe(page, 'import mapping');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByRole('heading', { name: /Import \d+ — done/ }).waitFor();
  await page.getByText('3 of 3 rows: 2 created, 0 updated, 0 skipped, 1 rejected.').waitFor();
  const jia = (await admin.get('/api/v1/customers?filter=name:eq:導入甲')).json.data[0];
  assert.equal(jia.notes, 'VIP 介紹', 'the column mapped by hand went in');
  assert.equal(jia.phone, '+86 139 0000 0001');
  const href = await page.getByRole('link', { name: 'Download the rejected rows (CSV)' }).getAttribute('href');
  const rej = await page.request.get(srv.url + href);
  assert.equal(rej.status(), 200);
  const text = (await rej.text()).replace(/^\ufeff/, '');
  assert.equal(text, '姓名,電話,电子邮件,城市,備考\r\n導入乙,02 2345 0002,not-an-email,台北,\r\n');
  await shot(page, '26-import-done');
});

test('search marks what matched across scripts: 客户 marks 客戶, wxm the whole name, a phone its digits', async () => {
  await page.goto(srv.url + '/#/customers');
  const box = page.getByRole('combobox', { name: /Search customers/ });
  await box.fill('');
  await box.pressSequentially('客户');
  const opt = page.getByRole('option', { name: /王客戶/ }).first();
  await opt.waitFor();
  assert.deepEqual(await opt.locator('mark').allInnerTexts(), ['客戶']);
  assert.equal(await opt.locator('.title').innerText(), '王客戶 · Kehu Trading');
  await shot(page, '27-search-highlight');
  await axe(page, 'search results');
  await box.fill('');
  await box.pressSequentially('wxm');
  const w = page.getByRole('option', { name: /王小明/ }).first();
  await w.waitFor();
  assert.deepEqual(await w.locator('mark').allInnerTexts(), ['王小明']);
  await w.getByText('matched in Pinyin').waitFor();
  await box.fill('');
  await box.pressSequentially('13800138000');
  // found as an identifier too: the one entry shows where the number matched
  const p = page.getByRole('option', { name: /Identifier match.*王小明/ });
  await p.waitFor();
  await p.getByText('+86 138 0013 8000').waitFor();
  assert.deepEqual(await p.locator('mark').allInnerTexts(), ['138 0013 8000']);
  await box.fill('');
});

test('the admin screens in 繁體中文 and 简体中文', async () => {
  await page.goto(srv.url + '/#/admin/teams');
  await page.getByLabel('Language').selectOption('zh-Hant');
  for (const [hash, heading] of [['#/admin/teams', '團隊'], ['#/admin/users', '使用者'], ['#/admin/roles', '角色與權限'], ['#/admin/audit', '稽核紀錄']]) {
    await page.goto(srv.url + '/' + hash);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  }
  await page.goto(srv.url + '/#/admin/roles');
  await page.getByRole('button', { name: '業務' }).click();
  await page.getByLabel('業務：讀取客戶', { exact: true }).waitFor();
  await shot(page, '28-roles-zh-Hant');
  await axe(page, 'roles in 繁體中文');
  await page.getByLabel('語言').selectOption('zh-Hans');
  await page.goto(srv.url + '/#/admin/users');
  await page.getByRole('heading', { name: '用户', level: 1 }).waitFor();
  await page.getByRole('button', { name: '生成' }).waitFor();
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
});

test('no CSP violation or script error on any page', () => {
  assert.deepEqual(errors, []);
});
