// Field-level validation of customers (type rules in docs/API.md): every bad
// value → 422 validation_failed naming the field, and nothing is written; the
// edge values that are valid pass (lengths in code points, Chinese, emoji).
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, listAll } from './lib/server.mjs';

let srv, api, target;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
  const r = await api.post('/api/v1/customers', { name: '驗證 Target', city: '高雄市' });
  assertStatus(r, 201);
  target = r.json;
});
after(async () => srv && srv.close());

const count = async () => (await listAll(api, 'customers')).length + (await listAll(api, 'customers', { deleted: 'true' })).length;

// [label, field named in the error, body (merged over {name}), allowed statuses]
const BAD = [
  ['name is a number', 'name', { name: 123 }],
  ['name is true', 'name', { name: true }],
  ['name is an object', 'name', { name: { zh: '王' } }],
  ['name is an array', 'name', { name: ['王'] }],
  ['name missing', 'name', { name: undefined, city: '上海市' }],
  ['name null', 'name', { name: null }],
  ['name 201 ASCII chars', 'name', { name: 'x'.repeat(201) }],
  ['name 201 Chinese chars', 'name', { name: '陳'.repeat(201) }],
  ['name 201 emoji (astral) chars', 'name', { name: '😀'.repeat(201) }],
  ['name with U+0001', 'name', { name: 'a\u0001b' }],
  ['name with ESC', 'name', { name: 'red\u001b[31m' }],
  ['name with newline (not a text field)', 'name', { name: '王\n小明' }],
  ['name with tab (not a text field)', 'name', { name: '王\t小明' }],
  ['city with U+001F', 'city', { city: '台北\u001f市' }],
  ['city with DEL U+007F', 'city', { city: 'a\u007fb' }],
  ['notes with U+0007 (text allows only \\n \\t)', 'notes', { notes: 'bell\u0007' }],
  ['city is a number', 'city', { city: 5 }],
  ['address 501 chars', 'address', { address: '路'.repeat(501) }],
  ['notes 10,001 chars', 'notes', { notes: '字'.repeat(10001) }],
  ['tags is a string', 'tags', { tags: 'vip' }],
  ['tags has numbers', 'tags', { tags: [1, 2] }],
  ['tags has nested array', 'tags', { tags: [['a']] }],
  ['tags is an object', 'tags', { tags: { a: 1 } }],
  ['tags has a control char', 'tags', { tags: ['a\u0002'] }],
  ['kind robot', 'kind', { kind: 'robot' }],
  ['kind wrong case', 'kind', { kind: 'Person' }],
  ['gender f', 'gender', { gender: 'f' }],
  ['relationship_type friend', 'relationship_type', { relationship_type: 'friend' }],
  ['customer_class retail', 'customer_class', { customer_class: 'retail' }],
  ['preferred_channel pigeon', 'preferred_channel', { preferred_channel: 'pigeon' }],
  ['email without @', 'email', { email: 'not-an-email' }],
  ['email without tld', 'email', { email: 'a@localhost' }],
  ['email with space', 'email', { email: 'a b@example.com' }],
  ['email with two @', 'email', { email: 'a@@example.com' }],
  ['email is a number', 'email', { email: 42 }],
  ['phone with letters', 'phone', { phone: 'call me 123456' }],
  ['phone 5 digits', 'phone', { phone: '12-345' }],
  ['phone 16 digits', 'phone', { phone: '+1234567890123456' }],
  ['mobile with slash', 'mobile', { mobile: '0912/345/678' }],
  ['birth_date 2023-02-29 does not exist', 'birth_date', { birth_date: '2023-02-29' }],
  ['birth_date month 13', 'birth_date', { birth_date: '2024-13-01' }],
  ['birth_date without dashes', 'birth_date', { birth_date: '19900101' }],
  ['birth_date in the future', 'birth_date', { birth_date: '2999-01-01' }],
  ['birth_date is a datetime', 'birth_date', { birth_date: '1990-01-01T00:00:00Z' }],
  ['birth_date is a number', 'birth_date', { birth_date: 19900101 }],
  ['country Taiwan', 'country', { country: 'Taiwan' }],
  ['country 3 letters', 'country', { country: 'TWN' }],
  ['country with digit', 'country', { country: 'T1' }],
  ['language with spaces', 'language', { language: 'not a tag' }],
  ['language with punctuation', 'language', { language: 'zh_Hant!' }],
  ['owner_id unknown user', 'owner_id', { owner_id: 987654 }],
  ['owner_id is a string', 'owner_id', { owner_id: 'alice' }],
  ['owner_id is fractional', 'owner_id', { owner_id: 1.5 }],
  ['id is read-only', 'id', { id: 5 }],
  ['version is read-only', 'version', { version: 1 }],
  ['created_at is read-only', 'created_at', { created_at: '2020-01-01T00:00:00.000Z' }],
  ['updated_at is read-only', 'updated_at', { updated_at: '2020-01-01T00:00:00.000Z' }],
];

function body(over) {
  const b = { name: '測試 Valid', ...over };
  for (const k of Object.keys(b)) if (b[k] === undefined) delete b[k];
  return b;
}

describe('POST /api/v1/customers rejects bad values with 422 and writes nothing', () => {
  for (const [label, field, over] of BAD) {
    test(label, async () => {
      const n = await count();
      const r = await api.post('/api/v1/customers', body(over));
      assertError(r, 422, 'validation_failed', [field]);
      assert.equal(await count(), n, 'nothing written');
    });
  }
});

describe('PATCH /api/v1/customers/{id} rejects bad values with 422 and changes nothing', () => {
  for (const [label, field, over] of BAD) {
    if (field === 'name' && !('name' in over && over.name !== undefined)) continue; // "missing" is fine in a PATCH
    test(label, async () => {
      const before = (await api.get(`/api/v1/customers/${target.id}`)).json;
      const hBefore = (await api.get(`/api/v1/customers/${target.id}/history`)).json.data.length;
      const r = await api.patch(`/api/v1/customers/${target.id}`, body(over));
      assertError(r, 422, 'validation_failed', [field]);
      const g = await api.get(`/api/v1/customers/${target.id}`);
      assert.deepEqual(g.json, before, 'record unchanged');
      const h = await api.get(`/api/v1/customers/${target.id}/history`);
      assert.equal(h.json.data.length, hBefore, 'no history entry added');
    });
  }
});

test('unknown field → 422 with fields.{name} = "unknown field"', async () => {
  const n = await count();
  const r = await api.post('/api/v1/customers', { name: 'U', favourite_colour: 'red' });
  const err = assertError(r, 422, 'validation_failed', ['favourite_colour']);
  assert.equal(err.fields.favourite_colour, 'unknown field');
  const p = await api.patch(`/api/v1/customers/${target.id}`, { nickname: '小明' });
  assert.equal(assertError(p, 422, 'validation_failed', ['nickname']).fields.nickname, 'unknown field');
  assert.equal(await count(), n);
});

test('several bad fields are all reported', async () => {
  const n = await count();
  const r = await api.post('/api/v1/customers', { name: 7, email: 'nope', birth_date: '2023-02-30', bogus: 1 });
  const err = assertError(r, 422, 'validation_failed', ['name', 'email', 'birth_date', 'bogus']);
  assert.equal(Object.keys(err.fields).length, 4, JSON.stringify(err.fields));
  assert.equal(await count(), n);
});

describe('valid edge values pass', () => {
  const GOOD = [
    ['name 200 ASCII chars', { name: 'x'.repeat(200) }],
    ['name 200 Chinese chars (600 bytes)', { name: '陳'.repeat(200) }],
    ['name 200 emoji (800 bytes, 400 UTF-16 units)', { name: '😀'.repeat(200) }],
    ['address 500 chars', { address: '路'.repeat(500) }],
    ['notes 10,000 chars with newlines and tabs', { notes: ('備註\n\t').repeat(2500) }],
    ['birth_date 2024-02-29 (leap day)', { birth_date: '2024-02-29' }],
    ['phone 6 digits', { phone: '12-34-56' }],
    ['phone 15 digits with + ( ) . -', { phone: '+86 (21) 1234.5678-901' }],
    ['email with plus and subdomain', { email: 'wang.xiaoming+crm@mail.example.com.cn' }],
    ['language zh-Hans-CN', { language: 'zh-Hans-CN' }],
    ['empty tags', { tags: [] }],
    ['Chinese tags', { tags: ['贵宾', '貴賓', 'VIP'] }],
  ];
  for (const [label, over] of GOOD) {
    test(label, async () => {
      const r = await api.post('/api/v1/customers', body(over));
      assertStatus(r, 201);
      for (const [k, v] of Object.entries(over)) assert.deepEqual(r.json[k], v, k);
      const g = await api.get(`/api/v1/customers/${r.json.id}`);
      for (const [k, v] of Object.entries(over)) assert.deepEqual(g.json[k], v, k);
    });
  }
});
