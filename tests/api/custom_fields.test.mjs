// Custom fields: add, list, delete (admin only), validated by type, filterable,
// shown in records and meta; bad definitions rejected.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, listAll } from './lib/server.mjs';

let srv, admin, mgr, sales, ro;
before(async () => {
  srv = await startServer({ users: [
    { name: 'root', role: 'admin' }, { name: 'mgr', role: 'manager' },
    { name: 'sam', role: 'sales' }, { name: 'rita', role: 'readonly' },
  ] });
  admin = srv.api('root');
  mgr = srv.api('mgr');
  sales = srv.api('sam');
  ro = srv.api('rita');
});
after(async () => srv && srv.close());

const FIELDS_URL = (e = 'customers') => `/api/v1/meta/entities/${e}/fields`;
async function fieldNames(e = 'customers') {
  const r = await admin.get(FIELDS_URL(e));
  assertStatus(r, 200);
  assert.ok(Array.isArray(r.json.data));
  return r.json.data.map((f) => f.name);
}

const DEFS = [
  { name: 'nickname', type: 'string', label: '暱稱', max_length: 5 },
  { name: 'bio', type: 'text', label: '簡介' },
  { name: 'vip_level', type: 'integer', label: 'VIP level' },
  { name: 'credit', type: 'number', label: '信用額度' },
  { name: 'opted_in', type: 'boolean' },
  { name: 'anniversary', type: 'date' },
  { name: 'last_visit', type: 'datetime' },
  { name: 'work_email', type: 'email' },
  { name: 'fax', type: 'phone' },
  { name: 'tier', type: 'enum', values: ['member', 'vip', 'diamond'], label: '會員等級' },
  { name: 'hobbies', type: 'tags' },
];

const GOOD = {
  nickname: '小明明', bio: '第一行\n第二行', vip_level: 3, credit: 1234.5, opted_in: true,
  anniversary: '2010-10-10', last_visit: '2024-05-06T07:08:09Z', work_email: 'xm@corp.example.cn',
  fax: '+86 21 5555 1234', tier: 'diamond', hobbies: ['茶道', 'golf'],
};

const BAD = [
  ['nickname', '六個字太長了'], ['nickname', 12], ['bio', 5], ['bio', 'bell\u0007'],
  ['vip_level', 'three'], ['vip_level', 1.5], ['vip_level', true],
  ['credit', '12.5'], ['opted_in', 'yes'], ['opted_in', 1],
  ['anniversary', '2023-02-29'], ['anniversary', 'soon'], ['last_visit', '2024-05-06'], ['last_visit', 'noon'],
  ['work_email', 'not-an-email'], ['fax', 'fax me'], ['tier', 'gold'], ['tier', 2], ['hobbies', 'golf'], ['hobbies', [1]],
];

describe('admin adds custom fields of every type', () => {
  test('POST each type → 201; listed in fields and meta/entities', async () => {
    for (const d of DEFS) {
      const r = await admin.post(FIELDS_URL(), d);
      assertStatus(r, 201);
      assert.equal(r.json.name, d.name);
      assert.equal(r.json.type, d.type);
      if (d.label) assert.equal(r.json.label, d.label);
    }
    const names = await fieldNames();
    for (const d of DEFS) assert.ok(names.includes(d.name), `${d.name} in ${names}`);
    // built-in fields are listed too
    for (const b of ['name', 'email', 'tags']) assert.ok(names.includes(b), `built-in ${b} in ${names}`);
    const tier = (await admin.get(FIELDS_URL())).json.data.find((f) => f.name === 'tier');
    assert.deepEqual(tier.values, ['member', 'vip', 'diamond']);
    assert.equal(tier.label, '會員等級');

    const m = await admin.get('/api/v1/meta/entities');
    assertStatus(m, 200);
    const text = JSON.stringify(m.json);
    for (const e of ['customers', 'contacts', 'customer_identifiers', 'interactions']) assert.ok(text.includes(`"${e}"`), `meta lists ${e}`);
    for (const d of DEFS) assert.ok(text.includes(`"${d.name}"`), `meta lists ${d.name}`);
  });

  test('every role may read the field list', async () => {
    for (const api of [mgr, sales, ro]) {
      assertStatus(await api.get(FIELDS_URL()), 200);
      assertStatus(await api.get('/api/v1/meta/entities'), 200);
    }
  });

  test('records carry valid custom values, round-trip', async () => {
    const r = await admin.post('/api/v1/customers', { name: '王小明', ...GOOD });
    assertStatus(r, 201);
    for (const [k, v] of Object.entries(GOOD)) {
      if (k === 'last_visit') assert.equal(Date.parse(r.json[k]), Date.parse(v), k);
      else assert.deepEqual(r.json[k], v, k);
    }
    const g = await admin.get(`/api/v1/customers/${r.json.id}`);
    assert.deepEqual(g.json, r.json);
    const p = await admin.patch(`/api/v1/customers/${r.json.id}`, { vip_level: 4, tier: null });
    assertStatus(p, 200);
    assert.equal(p.json.vip_level, 4);
    assert.equal(p.json.tier ?? null, null);
  });

  describe('invalid custom values → 422 naming the field, nothing written', () => {
    for (const [f, v] of BAD) {
      test(`${f} = ${JSON.stringify(v)}`, async () => {
        const n = (await listAll(admin, 'customers')).length;
        assertError(await admin.post('/api/v1/customers', { name: 'Bad custom', [f]: v }), 422, 'validation_failed', [f]);
        assert.equal((await listAll(admin, 'customers')).length, n);
      });
    }
  });

  test('custom fields are filterable', async () => {
    const mk = async (b) => assertStatus(await admin.post('/api/v1/customers', { source: 'cf', ...b }), 201).json.id;
    const a = await mk({ name: '甲', vip_level: 1, tier: 'member', opted_in: true, hobbies: ['茶道'], credit: 10.5, anniversary: '2001-01-01', nickname: '阿甲' });
    const b = await mk({ name: '乙', vip_level: 12, tier: 'vip', opted_in: false, hobbies: ['golf', '茶道'], credit: 99.25, anniversary: '2011-01-01' });
    const c = await mk({ name: '丙', vip_level: 5, tier: 'diamond', hobbies: [] });
    const ids = async (...filters) => (await listAll(admin, 'customers', { filter: ['source:eq:cf', ...filters] })).map((x) => x.id).sort((x, y) => x - y);
    assert.deepEqual(await ids('vip_level:gt:4'), [b, c]);
    assert.deepEqual(await ids('vip_level:lt:5'), [a]);
    assert.deepEqual(await ids('tier:eq:vip'), [b]);
    assert.deepEqual(await ids('tier:in:member,diamond'), [a, c]);
    assert.deepEqual(await ids('opted_in:eq:true'), [a]);
    assert.deepEqual(await ids('hobbies:contains:茶道'), [a, b]);
    assert.deepEqual(await ids('credit:ge:50'), [b]);
    assert.deepEqual(await ids('anniversary:lt:2010-01-01'), [a]);
    assert.deepEqual(await ids('nickname:eq:阿甲'), [a]);
    assert.deepEqual(await ids('nickname:null:true'), [b, c]);
    assert.deepEqual(await ids('nickname:prefix:阿'), [a]);
  });
});

describe('bad field definitions', () => {
  const CASES = [
    ['upper-case name', { name: 'VIP', type: 'string' }, 'name'],
    ['name starting with a digit', { name: '1st', type: 'string' }, 'name'],
    ['name with a dash', { name: 'vip-level', type: 'string' }, 'name'],
    ['name of 64 chars', { name: 'a'.repeat(64), type: 'string' }, 'name'],
    ['Chinese name', { name: '等級', type: 'string' }, 'name'],
    ['missing name', { type: 'string' }, 'name'],
    ['name is a number', { name: 5, type: 'string' }, 'name'],
    ['unknown type', { name: 'money_field', type: 'money' }, 'type'],
    ['missing type', { name: 'no_type' }, 'type'],
    ['enum without values', { name: 'enum_novalues', type: 'enum' }, 'values'],
    ['enum with non-string values', { name: 'enum_nums', type: 'enum', values: [1, 2] }, 'values'],
    ['required not a boolean', { name: 'req_field', type: 'string', required: 'yes' }, 'required'],
    ['unknown property', { name: 'extra_prop', type: 'string', colour: 'red' }, 'colour'],
  ];
  for (const [label, def, field] of CASES) {
    test(`${label} → 422`, async () => {
      const before = await fieldNames();
      assertError(await admin.post(FIELDS_URL(), def), 422, 'validation_failed', [field]);
      assert.deepEqual(await fieldNames(), before);
    });
  }
  test('name of 63 chars is fine', async () => {
    assertStatus(await admin.post(FIELDS_URL(), { name: 'a'.repeat(63), type: 'string' }), 201);
  });
  test('built-in name → 409 or 422, duplicate custom name → 409', async () => {
    const before = await fieldNames();
    const r = await admin.post(FIELDS_URL(), { name: 'email', type: 'string' });
    assert.ok(r.status === 409 || r.status === 422, `${r.status} ${r.text}`);
    assertError(r, r.status, r.status === 409 ? 'conflict' : 'validation_failed');
    assertError(await admin.post(FIELDS_URL(), { name: 'vip_level', type: 'integer' }), 409, 'conflict');
    assertError(await admin.post(FIELDS_URL(), { name: 'id', type: 'integer' }), r.status);
    assertError(await admin.post(FIELDS_URL(), { name: 'created_at', type: 'datetime' }), r.status);
    assert.deepEqual(await fieldNames(), before);
  });
  test('unknown entity → 404', async () => {
    assertError(await admin.post(FIELDS_URL('widgets'), { name: 'x', type: 'string' }), 404, 'not_found');
    assertError(await admin.get(FIELDS_URL('widgets')), 404, 'not_found');
    assertError(await admin.del(`${FIELDS_URL('widgets')}/x`), 404, 'not_found');
  });
});

describe('only admin may change fields', () => {
  test('manager, sales, readonly: POST and DELETE → 403, nothing changes', async () => {
    const before = await fieldNames();
    for (const api of [mgr, sales, ro]) {
      assertError(await api.post(FIELDS_URL(), { name: 'sneaky', type: 'string' }), 403, 'forbidden');
      assertError(await api.del(`${FIELDS_URL()}/vip_level`), 403, 'forbidden');
    }
    assert.deepEqual(await fieldNames(), before);
  });
});

describe('delete a custom field', () => {
  test('DELETE → 204; no longer listed, shown, accepted or filterable', async () => {
    assertStatus(await admin.post(FIELDS_URL(), { name: 'temp_score', type: 'integer' }), 201);
    const c = await admin.post('/api/v1/customers', { name: '臨時', temp_score: 7 });
    assertStatus(c, 201);
    assert.equal(c.json.temp_score, 7);
    const d = await admin.del(`${FIELDS_URL()}/temp_score`);
    assertStatus(d, 204);
    assert.ok(!(await fieldNames()).includes('temp_score'));
    const g = await admin.get(`/api/v1/customers/${c.json.id}`);
    assertStatus(g, 200);
    assert.ok(!('temp_score' in g.json), 'value no longer shown');
    const p = await admin.patch(`/api/v1/customers/${c.json.id}`, { temp_score: 8 });
    assert.equal(assertError(p, 422, 'validation_failed', ['temp_score']).fields.temp_score, 'unknown field');
    assertError(await admin.get('/api/v1/customers?filter=temp_score:eq:7'), 400, 'bad_request');
    assertError(await admin.del(`${FIELDS_URL()}/temp_score`), 404, 'not_found');
    assertError(await admin.del(`${FIELDS_URL()}/never_existed`), 404, 'not_found');
  });

  test('a removed field keeps its values through edits; adding it back shows them', async () => {
    assertStatus(await admin.post(FIELDS_URL(), { name: 'loyalty_no', type: 'string' }), 201);
    const c = await admin.post('/api/v1/customers', { name: '保留值', loyalty_no: 'L-001' });
    assertStatus(c, 201);
    assertStatus(await admin.del(`${FIELDS_URL()}/loyalty_no`), 204);
    // edits while the field is gone must not drop the hidden value
    assertStatus(await admin.patch(`/api/v1/customers/${c.json.id}`, { city: '台中市' }), 200);
    assertStatus(await admin.patch(`/api/v1/customers/${c.json.id}`, { city: '台南市' }), 200);
    // same type again: the field and its values come back
    assertStatus(await admin.post(FIELDS_URL(), { name: 'loyalty_no', type: 'string' }), 201);
    const g = await admin.get(`/api/v1/customers/${c.json.id}`);
    assertStatus(g, 200);
    assert.equal(g.json.loyalty_no, 'L-001');
    assert.equal(g.json.city, '台南市');
    // another type under the same name would misread the old values
    assertStatus(await admin.del(`${FIELDS_URL()}/loyalty_no`), 204);
    assertError(await admin.post(FIELDS_URL(), { name: 'loyalty_no', type: 'integer' }), 409, 'conflict');
  });
});

describe('custom fields on other entities; required custom field', () => {
  test('interactions get a satisfaction score, filterable', async () => {
    assertStatus(await admin.post(FIELDS_URL('interactions'), { name: 'satisfaction', type: 'integer', label: '滿意度' }), 201);
    const c = await admin.post('/api/v1/customers', { name: 'CSI 客户' });
    for (const s of [1, 5, 4]) assertStatus(await admin.post('/api/v1/interactions', { customer_id: c.json.id, channel: 'web', direction: 'inbound', satisfaction: s }), 201);
    const r = await listAll(admin, 'interactions', { filter: [`customer_id:eq:${c.json.id}`, 'satisfaction:ge:4'] });
    assert.deepEqual(r.map((x) => x.satisfaction).sort(), [4, 5]);
    assertError(await admin.post('/api/v1/interactions', { customer_id: c.json.id, channel: 'web', direction: 'inbound', satisfaction: 'great' }), 422, 'validation_failed', ['satisfaction']);
    // not on customers
    assertError(await admin.post('/api/v1/customers', { name: 'x', satisfaction: 3 }), 422, 'validation_failed', ['satisfaction']);
  });
  test('a required custom field is enforced on create', async () => {
    assertStatus(await admin.post(FIELDS_URL('contacts'), { name: 'badge_no', type: 'string', required: true }), 201);
    const co = await admin.post('/api/v1/customers', { name: 'Req Co', kind: 'company' });
    assertError(await admin.post('/api/v1/contacts', { customer_id: co.json.id, name: 'No badge' }), 422, 'validation_failed', ['badge_no']);
    const ok = await admin.post('/api/v1/contacts', { customer_id: co.json.id, name: 'Badge', badge_no: 'B-1' });
    assertStatus(ok, 201);
    assert.equal(ok.json.badge_no, 'B-1');
  });
});
