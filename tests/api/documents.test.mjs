// The stored document (engine/record.c): every record keeps its JSON in a
// doc column, and reads splice in the id and the live custom fields. What
// a user relies on: a record reads the same whichever way it is rendered,
// after every kind of write (the engine's own, and the writers that go
// around it: merge, erasure, delete and restore), with custom fields added
// and removed, and for an older file whose rows have no doc yet.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { startServer, assertStatus, listAll, ENTITIES } from './lib/server.mjs';

const execFileP = promisify(execFile);
let srv, api;

before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  api = srv.api('alice');
});
after(async () => srv && srv.close());

const db = () => path.join(srv.dir, 'guanxi.db');
const sql = async (q) => (await execFileP('sqlite3', [db(), q])).stdout.trim();

async function create(entity, body) {
  const r = await api.post(`/api/v1/${entity}`, body);
  assertStatus(r, 201);
  return r.json;
}

// Every record of every entity as the API lists it and as it reads one by one.
async function everything() {
  const out = {};
  for (const e of ENTITIES) {
    const rows = await listAll(api, e);
    const gone = await listAll(api, e, { deleted: 'true' });
    out[e] = [...rows, ...gone].sort((a, b) => a.id - b.id);
    for (const r of rows) {
      const one = await api.get(`/api/v1/${e}/${r.id}`);
      assertStatus(one, 200);
      assert.deepEqual(one.json, r, `${e} ${r.id}: GET and list differ`);
    }
  }
  return out;
}

// Rows whose doc is set but differs from what the columns render.
async function staleDocs() {
  const forms = (await sql("SELECT substr(name, 5) || char(9) || form FROM derived_forms WHERE name LIKE 'doc:%'")).split('\n');
  const bad = [];
  for (const line of forms) {
    const [entity, form] = line.split('\t');
    const n = Number(await sql(`SELECT count(*) FROM ${entity} WHERE doc IS NOT NULL AND doc IS NOT ${form}`));
    if (n) bad.push(`${entity}: ${n}`);
  }
  return bad;
}

test('a record reads the same from its doc as from its columns, after every kind of write', async () => {
  const odd = 'quote " backslash \\ tab\t newline\n 😀 ＡＢＣ 客戶/客户 <b>&amp;</b>';
  const a = await create('customers', {
    kind: 'person', name: '陳大文', family_name: '陳', given_name: '大文', local_name: '陳大文',
    email: 'tai-man@example.com', mobile: '+852 9123 4567', city: '香港', country: 'HK',
    tags: ['vip', '老客戶', 'x"y'], notes: odd, legal_hold: true, birth_date: '1980-02-29',
  });
  const b = await create('customers', { kind: 'company', name: 'Acme 有限公司', legal_hold: false, tags: [] });
  const c = await create('customers', { name: '王小明', email: 'xiaoming@example.cn', phone: '+86 138 0013 8000' });
  const d = await create('customers', { name: 'Wang Xiaoming', email: 'wxm@example.cn', city: '上海' });
  const e = await create('customers', { name: 'To Erase', email: 'erase-me@example.com', notes: 'secret 秘密' });
  await create('contacts', { customer_id: b.id, name: '李四', role: '採購經理', email: 'li.si@acme.example' });
  await create('customer_identifiers', { customer_id: a.id, kind: 'member_card', value: 'MC-0001' });
  await create('interactions', { customer_id: a.id, channel: 'phone', direction: 'inbound', subject: 'quote " backslash \\ 😀 回訪', body: odd });

  // the engine's own writes
  assertStatus(await api.patch(`/api/v1/customers/${a.id}`, { city: '九龍', tags: ['vip'] }), 200);
  assertStatus(await api.patch(`/api/v1/customers/${b.id}`, { legal_hold: true, notes: null }), 200);
  assertStatus(await api.del(`/api/v1/customers/${c.id}`), 204);
  assertStatus(await api.post(`/api/v1/customers/${c.id}/restore`), 200);
  // writers that go around the engine's row writes
  assertStatus(await api.post(`/api/v1/customers/${c.id}/merge`, { duplicate_id: d.id }), 200);
  assertStatus(await api.post(`/api/v1/customers/${e.id}/erase`, { confirm: true }), 204);

  assert.deepEqual(await staleDocs(), [], 'a doc out of step with its columns');
  const viaDocs = await everything();
  assert.equal(viaDocs.customers.find((r) => r.id === a.id).notes, odd);
  assert.deepEqual(viaDocs.customers.find((r) => r.id === a.id).tags, ['vip']);
  assert.equal(viaDocs.customers.find((r) => r.id === b.id).legal_hold, true);
  assert.ok(!JSON.stringify(viaDocs).includes('erase-me@example.com'), 'the erased e-mail is still shown');
  assert.equal(await sql(`SELECT count(*) FROM customers WHERE doc LIKE '%erase-me%'`), '0', 'the erased e-mail is still stored in a doc');

  // a search hit carries the record as GET shows it (phone hits read docs too)
  const phoneHit = async () => {
    const r = await api.get('/api/v1/search?q=13800138000&entities=customers');
    assertStatus(r, 200);
    const hit = r.json.data.find((h) => h.entity === 'customers' && h.id === c.id);
    assert.ok(hit, `no hit for customer ${c.id}: ${JSON.stringify(r.json.data)}`);
    return hit.record;
  };
  assert.deepEqual(await phoneHit(), viaDocs.customers.find((r) => r.id === c.id));

  // the same records rendered from their columns only
  for (const ent of ENTITIES) await sql(`UPDATE ${ent} SET doc = NULL`);
  assert.deepEqual(await everything(), viaDocs);
  assert.deepEqual(await phoneHit(), viaDocs.customers.find((r) => r.id === c.id));
});

test('custom fields: added ones show as null then their value, removed ones disappear', async () => {
  const r = await create('customers', { name: '自訂欄位客戶', email: 'custom@example.com' });
  const add = await api.post('/api/v1/meta/entities/customers/fields', { name: 'vip_level', type: 'integer', label: 'VIP 等級' });
  assertStatus(add, 201);
  let got = (await api.get(`/api/v1/customers/${r.id}`)).json;
  assert.equal(got.vip_level, null);
  assert.equal(got.name, '自訂欄位客戶');
  assertStatus(await api.patch(`/api/v1/customers/${r.id}`, { vip_level: 3 }), 200);
  got = (await api.get(`/api/v1/customers/${r.id}`)).json;
  assert.equal(got.vip_level, 3);
  const page = (await api.get(`/api/v1/customers?filter=vip_level:eq:3`)).json.data;
  assert.deepEqual(page.map((x) => x.id), [r.id]);
  assert.deepEqual(page[0], got);
  assertStatus(await api.del('/api/v1/meta/entities/customers/fields/vip_level'), 204);
  got = (await api.get(`/api/v1/customers/${r.id}`)).json;
  assert.ok(!('vip_level' in got), 'a removed custom field is still shown');
  assert.equal(got.email, 'custom@example.com');
});

test('an older file without docs: migrate writes them, reads are unchanged', async () => {
  const r = await create('customers', { name: '舊檔案', city: '台中', tags: ['舊'] });
  const before = (await api.get(`/api/v1/customers/${r.id}`)).json;
  await srv.stop();
  // as a file from before the doc column: no docs and no record of their form
  await sql("DELETE FROM derived_forms WHERE name LIKE 'doc:%'; UPDATE customers SET doc = NULL");
  await srv.cliOk(['migrate']);
  assert.equal(await sql('SELECT count(*) FROM customers WHERE doc IS NULL'), '0');
  assert.deepEqual(await staleDocs(), []);
  await srv.start();
  assert.deepEqual((await api.get(`/api/v1/customers/${r.id}`)).json, before);
});

test('a file whose tables keep doc as their last column (made before 2026-11-23) reads the same', async () => {
  const r = await create('customers', { name: '舊欄位順序', city: '高雄', tags: ['舊', 'old'], email: 'old-order@example.com' });
  const one = (await api.get(`/api/v1/customers/${r.id}`)).json;
  const page = (await api.get('/api/v1/customers?filter=city:eq:%E9%AB%98%E9%9B%84')).json.data;
  await srv.stop();
  // the customers table as it was made before: doc added last by ALTER TABLE
  const ddl = await sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'customers'");
  assert.ok(ddl.includes('doc TEXT, '), ddl);
  const oldDdl = ddl.replace('doc TEXT, ', '').replace(/\)$/, ', doc TEXT)');
  const cols = (await sql("SELECT group_concat(name, ', ') FROM pragma_table_info('customers')"));
  await sql(`PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON; BEGIN;
    ALTER TABLE customers RENAME TO customers_new; ${oldDdl};
    INSERT INTO customers (${cols}) SELECT ${cols} FROM customers_new;
    DROP TABLE customers_new; COMMIT;`);
  const order = await sql("SELECT group_concat(name, ',') FROM pragma_table_info('customers')");
  assert.ok(order.endsWith(',doc'), `doc is not last: ${order}`);
  await srv.start();
  assert.deepEqual((await api.get(`/api/v1/customers/${r.id}`)).json, one);
  assert.deepEqual((await api.get('/api/v1/customers?filter=city:eq:%E9%AB%98%E9%9B%84')).json.data, page);
  // and the engine's writes still land in the right columns
  const p = await api.patch(`/api/v1/customers/${r.id}`, { city: '台南' });
  assertStatus(p, 200);
  assert.equal((await api.get(`/api/v1/customers/${r.id}`)).json.city, '台南');
  assert.deepEqual(await staleDocs(), []);
});
