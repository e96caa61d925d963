// Search and lookup (issue 4): a multilingual corpus — 繁體, 简体, English,
// mixed, full-width, pinyin, phone formats — with the hits and the misses
// each query must give, through GET /api/v1/search, q= on lists and
// GET /api/v1/lookup; the index follows every write; access and bad input.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, qs } from './lib/server.mjs';

let srv, root, sam, stan;
const id = {}; // corpus key -> customer id

const CORPUS = {
  chan: { name: '陳大文', local_name: '陳大文', country: 'HK', phone: '9123 4567', email: 'dawen@example.hk' },
  hung: { name: '陈小红', country: 'CN', city: '上海市' },
  kehu: { name: '客戶服務中心', kind: 'company', country: 'TW' },
  kehu2: { name: '客户关系管理部', kind: 'company', country: 'CN' },
  wang: { name: '王小明', country: 'CN', mobile: '+86 138-0013-8000' },
  abc: { name: 'ＡＢＣ１２３ 有限公司', kind: 'company' },
  muller: { name: 'Müller GmbH', kind: 'company', country: 'DE' },
  zoe: { name: 'Zoë Smith', given_name: 'Zoë', family_name: 'Smith', country: 'GB' },
  lina: { name: '李娜', given_name: 'Na', family_name: 'Li', country: 'CN' },
  lisa: { name: 'Lisa Wong 黃麗莎', country: 'HK' },
  julie: { name: 'Julie Martin', country: 'GB' },
  zhang: { name: '張偉', country: 'TW', phone: '02 2345 6789' },
};

const search = async (q, params = {}) => {
  const r = await root.get(`/api/v1/search?${qs({ q, ...params })}`);
  assertStatus(r, 200);
  return r.json.data;
};
const keysOf = (hits) => {
  const byId = Object.fromEntries(Object.entries(id).map(([k, v]) => [v, k]));
  return [...new Set(hits.filter((h) => h.entity === 'customers').map((h) => byId[h.id]))].sort();
};

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }, { name: 'south' }],
    users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
      { name: 'stan', role: 'sales', team: 'south' }],
  });
  [root, sam, stan] = ['root', 'sam', 'stan'].map((n) => srv.api(n));
  for (const [k, v] of Object.entries(CORPUS)) {
    const r = await root.post('/api/v1/customers', v);
    assertStatus(r, 201);
    id[k] = r.json.id;
  }
  for (const [k, kind, value] of [['muller', 'plate', 'AB-1234'], ['zoe', 'member_card', 'MC 0042 7788']]) {
    assertStatus(await root.post('/api/v1/customer_identifiers', { customer_id: id[k], kind, value }), 201);
  }
});
after(async () => srv && srv.close());

// query -> the corpus keys it must find, exactly (so every other is a miss)
const CASES = [
  ['陈', ['chan', 'hung']],
  ['陳', ['chan', 'hung']],
  ['陳大文', ['chan']],
  ['陈大文', ['chan']],
  ['陈大', ['chan']],
  ['客户', ['kehu', 'kehu2']],
  ['客戶', ['kehu', 'kehu2']],
  ['服务', ['kehu']],
  ['張偉', ['zhang']],
  ['张伟', ['zhang']],
  ['abc123', ['abc']],
  ['ＡＢＣ１２３', ['abc']],
  ['aBc１２3', ['abc']],
  ['muller', ['muller']],
  ['MÜLLER', ['muller']],
  ['zoe', ['zoe']],
  ['smith zoe', ['zoe']],
  ['zoe jones', []],
  ['wang xiaoming', ['wang']],
  ['wangxiaoming', ['wang']],
  ['wxm', ['wang']],
  ['xiaoming', ['wang']],
  ['zhang wei', ['zhang']],
  ['chen', ['chan', 'hung']],
  ['huang lisha', ['lisa']],
  ['li', ['lina', 'lisa']], // word starts only: not Julie
  ['na', ['lina']],
  ['lie', ['julie']],
  ['+86 138-0013-8000', ['wang']],
  ['13800138000', ['wang']],
  ['138 0013 8000', ['wang']],
  ['(852) 9123 4567', ['chan']],
  ['91234567', ['chan']],
  ['+886 2 2345 6789', ['zhang']],
  ['02-2345-6789', ['zhang']],
  ['9999 0000', []],
  ['AB-1234', ['muller']],
  ['ab1234', []], // the plate is matched as written, dash and all
  ['mc 0042', ['zoe']],
  ['dawen@example', ['chan']],
  ['上海', []], // cities are filtered, not searched
  ['zzz', []],
];

describe('the corpus: hits and misses', () => {
  for (const [q, want] of CASES) {
    test(`${q} → ${want.join(', ') || 'nothing'}`, async () => {
      const hits = await search(q);
      // a hit on an identifier counts for its customer
      const ids = new Set(hits.map((h) => (h.entity === 'customer_identifiers' ? h.record.customer_id : h.id)));
      const got = Object.keys(id).filter((k) => ids.has(id[k])).sort();
      assert.deepEqual(got, [...want].sort());
    });
  }
});

describe('results', () => {
  test('each hit names its entity, record and the field that matched', async () => {
    const [hit] = await search('陳大文');
    assert.equal(hit.entity, 'customers');
    assert.equal(hit.record.name, '陳大文');
    assert.ok(['name', 'local_name'].includes(hit.matched_field));
    assert.equal(typeof hit.score, 'number');
    assert.equal((await search('wxm'))[0].matched_field, 'pinyin');
    assert.equal((await search('13800138000')).find((h) => h.entity === 'customers').matched_field, 'mobile');
    assert.equal((await search('ab-1234'))[0].entity, 'customer_identifiers');
  });
  test('ranked: the closer match comes first', async () => {
    assertStatus(await root.post('/api/v1/customers', { name: '陳大文紀念基金會有限公司 Chan Tai Man Memorial Foundation Limited' }), 201);
    const hits = (await search('陳大文')).filter((h) => h.entity === 'customers');
    assert.equal(hits.length, 2);
    assert.equal(hits[0].id, id.chan, 'the short exact name before the long one');
  });
  test('limit and entities narrow the results', async () => {
    assert.equal((await search('陈', { limit: 1 })).length, 1);
    const only = await search('ab-1234', { entities: 'customers' });
    assert.deepEqual(only, []);
    assert.equal((await search('ab-1234', { entities: 'customer_identifiers' })).length, 1);
  });
  test('q= on a list endpoint matches the same way', async () => {
    const r = await root.get(`/api/v1/customers?${qs({ q: '客戶', sort: 'name' })}`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.data.map((c) => c.id).sort(), [id.kehu, id.kehu2].sort());
    const p = await root.get(`/api/v1/customers?${qs({ q: 'wang xiaoming' })}`);
    assert.deepEqual(p.json.data.map((c) => c.id), [id.wang]);
  });
});

describe('the index follows every write', () => {
  test('update, delete and restore', async () => {
    const c = await root.post('/api/v1/customers', { name: '趙雲龍' });
    assertStatus(c, 201);
    assert.deepEqual((await search('赵云')).map((h) => h.id), [c.json.id]);
    assertStatus(await root.patch(`/api/v1/customers/${c.json.id}`, { name: '趙子龍' }), 200);
    assert.deepEqual(await search('赵云'), [], 'the old name is gone');
    assert.deepEqual((await search('zhaozilong')).map((h) => h.id), [c.json.id]);
    assertStatus(await root.del(`/api/v1/customers/${c.json.id}`), 204);
    assert.deepEqual(await search('趙子龍'), [], 'a deleted record is not found');
    assertStatus(await root.post(`/api/v1/customers/${c.json.id}/restore`), 200);
    assert.deepEqual((await search('趙子龍')).map((h) => h.id), [c.json.id], 'restored, found again');
  });
  test('writes sharing a group commit: a failed one leaves no entry, the others are found once', async () => {
    // a rejected create fails after its row was indexed (the mobile is
    // taken): its index entry must go with it, even when other requests'
    // writes share its transaction, and its id, used again, finds only the
    // new record
    const holder = await root.post('/api/v1/customers', { name: '號碼持有人', mobile: '+852 9000 7777' });
    assertStatus(holder, 201);
    const made = await Promise.all(Array.from({ length: 30 }, (_, i) => root.post('/api/v1/customers',
      i % 2 ? { name: `落選者${i}`, mobile: '+852 9000 7777' } : { name: `同批客戶${i}`, city: '同批城' })));
    made.forEach((r, i) => assertStatus(r, i % 2 ? 409 : 201));
    assert.deepEqual(await search('落選者'), []);
    const ok = made.filter((r, i) => i % 2 === 0).map((r) => r.json.id).sort((a, b) => a - b);
    assert.deepEqual((await search('同批客戶', { limit: '50' })).map((h) => h.id).sort((a, b) => a - b), ok);
    for (let i = 0; i < 3; i++) {
      const again = await root.post('/api/v1/customers', { name: `後來者${i}` });
      assertStatus(again, 201);
      assert.deepEqual((await search(`後來者${i}`)).map((h) => h.id), [again.json.id]);
    }
    assert.deepEqual(await search('落選者'), []);
  });
  test('contacts are searched too', async () => {
    const k = await root.post('/api/v1/contacts', { customer_id: id.kehu, name: '林志玲', email: 'chiling@example.tw' });
    assertStatus(k, 201);
    const hits = await search('林志玲');
    assert.deepEqual(hits.map((h) => [h.entity, h.id]), [['contacts', k.json.id]]);
  });
});

describe('lookup by identifier', () => {
  const look = async (identifier, extra = {}) => root.get(`/api/v1/lookup?${qs({ identifier, ...extra })}`);
  for (const [value, key] of [
    ['+86 138-0013-8000', 'wang'], ['13800138000', 'wang'], ['8613800138000', 'wang'],
    ['+852 9123 4567', 'chan'], ['0085291234567', 'chan'], ['9123-4567', 'chan'],
    ['DAWEN@EXAMPLE.HK', 'chan'], ['ab 1234', 'muller'], ['mc00427788', 'zoe'],
  ]) {
    test(`${value} → ${key}`, async () => {
      const r = await look(value);
      assertStatus(r, 200);
      assert.equal(r.json.customer.id, id[key]);
      assert.ok(r.json.identifier.kind);
    });
  }
  test('kind narrows it; nothing held is 404', async () => {
    assertStatus(await look('AB-1234', { kind: 'plate' }), 200);
    assertError(await look('AB-1234', { kind: 'member_card' }), 404, 'not_found');
    assertError(await look('+1 202 555 0100'), 404, 'not_found');
    assertError(await look('nobody@example.com'), 404, 'not_found');
  });
  test('bad requests', async () => {
    assertError(await root.get('/api/v1/lookup'), 400, 'bad_request');
    assertError(await look('x'.repeat(201)), 400, 'bad_request');
    assertError(await look('AB-1234', { kind: 'shoe_size' }), 400, 'bad_request');
    assertError(await look('AB-1234', { colour: 'red' }), 400, 'bad_request');
  });
});

describe('access', () => {
  test('a sales user finds only what they may see, by search and by lookup', async () => {
    const mine = await sam.post('/api/v1/customers', { name: '北區客戶 Northwind', phone: '+852 6000 1111' });
    const theirs = await stan.post('/api/v1/customers', { name: '南區客戶 Southwind', phone: '+852 6000 2222' });
    assertStatus(mine, 201);
    assertStatus(theirs, 201);
    const seen = (await sam.get(`/api/v1/search?${qs({ q: '區客戶' })}`)).json.data.map((h) => h.id);
    assert.deepEqual(seen, [mine.json.id]);
    const list = (await sam.get(`/api/v1/customers?${qs({ q: 'wind' })}`)).json.data.map((c) => c.id);
    assert.deepEqual(list, [mine.json.id]);
    assertStatus(await sam.get('/api/v1/lookup?identifier=%2B85260001111'), 200);
    assertError(await sam.get('/api/v1/lookup?identifier=%2B85260002222'), 404, 'not_found');
    const found = (await root.get(`/api/v1/search?${qs({ q: '區客戶' })}`)).json.data.map((h) => h.id).sort();
    assert.deepEqual(found, [mine.json.id, theirs.json.id].sort());
  });
});

describe('bad input', () => {
  test('missing, empty, too long, bad limit, unknown entity or parameter', async () => {
    assertError(await root.get('/api/v1/search'), 400, 'bad_request');
    assertError(await root.get('/api/v1/search?q=%20%20'), 400, 'bad_request');
    assertError(await root.get(`/api/v1/search?${qs({ q: '陳'.repeat(100) })}`), 400, 'bad_request');
    for (const limit of ['0', '101', 'ten', '-1', '']) {
      assertError(await root.get(`/api/v1/search?${qs({ q: 'chen', limit })}`), 400, 'bad_request');
    }
    assertError(await root.get('/api/v1/search?q=chen&entities=users'), 400, 'bad_request');
    assertError(await root.get('/api/v1/search?q=chen&entities=nope'), 400, 'bad_request');
    assertError(await root.get('/api/v1/search?q=chen&sort=name'), 400, 'bad_request');
    assertError(await root.get('/api/v1/search?q=%FF%FE'), 400, 'bad_request');
  });
  test('query syntax is literal text, never an error', async () => {
    for (const q of ['"', '""', 'a"b', 'NEAR(a b)', 'chen OR wang', '*', 'name:chen', '{name}:x', '^a', '-', '%', '_', '\\']) {
      const r = await root.get(`/api/v1/search?${qs({ q })}`);
      assertStatus(r, 200);
      assert.ok(Array.isArray(r.json.data));
    }
    assert.deepEqual(keysOf(await search('chen OR wang')), [], 'OR is a word, not an operator');
  });
  test('without a token: 401', async () => {
    const r = await srv.api(null).get('/api/v1/search?q=chen');
    assertError(r, 401, 'unauthorized');
  });
});
