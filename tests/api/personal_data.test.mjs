// Field-level security: personal fields are masked for roles without the
// personal-data permission (marketing, readonly) in records, lists, history
// and write answers; filtering and sorting on them are refused, q= does not
// match them; an audited reveal shows them one record at a time.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, mark, rory, cust, ids = {};
const PHONE = '+86 138 0013 8000', MOBILE = '0912-345-678', EMAIL = 'wang.xiaoming@example.cn';
const ADDRESS = '台北市信義區松仁路100號', BIRTH = '1985-06-15', CARD = 'MC-88886666';

before(async () => {
  srv = await startServer({ users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales' },
    { name: 'mark', role: 'marketing' }, { name: 'rory', role: 'readonly' },
  ] });
  [root, sam, mark, rory] = ['root', 'sam', 'mark', 'rory'].map((n) => srv.api(n));
  for (const n of ['sam', 'mark']) ids[n] = (await srv.api(n).get('/api/v1/auth/me')).json.user.id;
  const c = await root.post('/api/v1/customers', {
    name: '王小明', email: EMAIL, phone: PHONE, mobile: MOBILE, address: ADDRESS, birth_date: BIRTH,
    city: '台北市', owner_id: ids.sam,
  });
  assertStatus(c, 201);
  cust = c.json;
  assertStatus(await root.post('/api/v1/customer_identifiers', { customer_id: cust.id, kind: 'member_card', value: CARD }), 201);
  assertStatus(await root.patch(`/api/v1/customers/${cust.id}`, { phone: '+86 139 1111 2222' }), 200);
});
after(async () => srv && srv.close());

const SECRETS = [EMAIL, '13800138000', '0013', '345-678', '信義區', BIRTH, CARD, '13911112222', '1111'];
function noSecrets(text, where) {
  for (const s of SECRETS) assert.ok(!text.includes(s), `${where} shows ${s}: ${text.slice(0, 300)}`);
}

test('sales, the owner, sees personal data whole', async () => {
  const r = await sam.get(`/api/v1/customers/${cust.id}`);
  assertStatus(r, 200);
  assert.equal(r.json.email, EMAIL);
  assert.equal(r.json.address, ADDRESS);
  assert.equal(r.json.birth_date, BIRTH);
});

test('marketing and readonly see it masked in the record, lists, identifiers and history', async () => {
  for (const api of [mark, rory]) {
    const r = await api.get(`/api/v1/customers/${cust.id}`);
    assertStatus(r, 200);
    assert.equal(r.json.name, '王小明', 'names are not personal data here');
    assert.equal(r.json.email, 'w***@example.cn');
    assert.equal(r.json.phone, '861****2222');
    assert.equal(r.json.mobile, '091****5678');
    assert.equal(r.json.address, '台***');
    assert.equal(r.json.birth_date, '1***');
    noSecrets(r.text, 'GET');
    const l = await api.get(`/api/v1/customers?filter=id:eq:${cust.id}&fields=email,phone,address`);
    assert.equal(l.json.data[0].email, 'w***@example.cn');
    noSecrets(l.text, 'list');
    const idl = await api.get(`/api/v1/customer_identifiers?filter=customer_id:eq:${cust.id}`);
    assert.equal(idl.json.data.length, 4);
    noSecrets(idl.text, 'identifiers');
    const h = await api.get(`/api/v1/customers/${cust.id}/history`);
    assertStatus(h, 200);
    const phoneChange = h.json.data[1].changes.find((c) => c.field === 'phone');
    assert.deepEqual([phoneChange.old, phoneChange.new], ['861****8000', '861****2222']);
    noSecrets(h.text, 'history');
  }
  // the owner's history is whole
  const h = await sam.get(`/api/v1/customers/${cust.id}/history`);
  assert.equal(h.json.data[1].changes.find((c) => c.field === 'phone').old, PHONE);
});

test('filtering or sorting on a hidden field is refused; q= does not match hidden values', async () => {
  assertError(await mark.get(`/api/v1/customers?filter=email:eq:${encodeURIComponent(EMAIL)}`), 403, 'forbidden');
  assertError(await mark.get('/api/v1/customers?filter=phone:prefix:%2B86'), 403, 'forbidden');
  assertError(await mark.get('/api/v1/customers?sort=email'), 403, 'forbidden');
  assertError(await rory.get(`/api/v1/customer_identifiers?filter=value:eq:${CARD}`), 403, 'forbidden');
  assert.equal((await mark.get('/api/v1/customers?q=example.cn')).json.data.length, 0, 'q on the e-mail');
  assert.equal((await mark.get('/api/v1/customers?q=13911112222')).json.data.length, 0, 'q on the phone');
  assert.equal((await mark.get('/api/v1/search?q=example.cn')).json.data.length, 0, 'search on the e-mail');
  assert.equal((await mark.get('/api/v1/search?q=13911112222')).json.data.length, 0, 'search on the phone');
  const look = await mark.get('/api/v1/lookup?identifier=13911112222');
  assertStatus(look, 200);
  assert.equal(look.json.customer.id, cust.id, 'lookup finds the customer');
  noSecrets(JSON.stringify(look.json), 'lookup');
  assert.equal((await mark.get('/api/v1/customers?q=王小明')).json.data.length, 1, 'q on the name');
  assert.equal((await sam.get('/api/v1/customers?q=example.cn')).json.data.length, 1, 'the owner finds it');
  const hit = (await sam.get('/api/v1/search?q=13911112222')).json.data.find((h) => h.entity === 'customers');
  assert.equal(hit.matched_field, 'phone');
  assertStatus(await sam.get(`/api/v1/customers?filter=email:eq:${encodeURIComponent(EMAIL)}`), 200);
});

test('a write answer is masked too', async () => {
  const c = await root.post('/api/v1/customers', { name: 'Mark 的客戶', phone: '+852 9123 4567', owner_id: ids.mark });
  const r = await mark.patch(`/api/v1/customers/${c.json.id}`, { notes: '行銷更新' });
  assertStatus(r, 200);
  assert.equal(r.json.phone, '852****4567');
  // and the stored value is whole: the history compares real values
  assert.equal((await root.get(`/api/v1/customers/${c.json.id}`)).json.phone, '+852 9123 4567');
  const h = (await root.get(`/api/v1/customers/${c.json.id}/history`)).json.data;
  assert.deepEqual(h[1].changes.map((x) => x.field), ['notes'], 'only notes changed');
});

test('reveal shows the fields asked for, and the look is in the audit log', async () => {
  const r = await mark.post(`/api/v1/customers/${cust.id}/reveal`, { fields: ['email', 'phone'] });
  assertStatus(r, 200);
  assert.deepEqual(r.json.data, { email: EMAIL, phone: '+86 139 1111 2222' });
  const all = await rory.post(`/api/v1/customers/${cust.id}/reveal`);
  assertStatus(all, 200);
  assert.deepEqual(Object.keys(all.json.data).sort(), ['address', 'birth_date', 'email', 'mobile', 'phone']);
  const log = (await root.get('/api/v1/audit?action=reveal')).json.data;
  const m = log.find((x) => x.user === 'mark');
  assert.ok(m, 'the reveal is audited');
  assert.deepEqual([m.detail.entity, m.detail.record_id, m.detail.fields.sort()], ['customers', cust.id, ['email', 'phone']]);
  for (const [body, field] of [[{ fields: ['name'] }, 'fields'], [{ fields: 'email' }, 'fields'], [{ what: 1 }, 'what']])
    assertError(await mark.post(`/api/v1/customers/${cust.id}/reveal`, body), 422, 'validation_failed', [field]);
  assertError(await mark.post('/api/v1/customers/987654/reveal', {}), 404, 'not_found');
});
