// Privacy: consent per customer and purpose, with its trail; and the export
// of everything held about one person (audited, within the export scope).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, stan, mark, cust;
before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }, { name: 'south' }], users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
    { name: 'stan', role: 'sales', team: 'south' }, { name: 'mark', role: 'marketing' },
  ] });
  [root, sam, stan, mark] = ['root', 'sam', 'stan', 'mark'].map((n) => srv.api(n));
  const c = await sam.post('/api/v1/customers', { name: '陳大文', kind: 'company', email: 'chan@example.hk', phone: '+852 9123 4567' });
  assertStatus(c, 201);
  cust = c.json;
});
after(async () => srv && srv.close());

test('consents: given and withdrawn per purpose, with source, time and who recorded it', async () => {
  const g = await sam.post('/api/v1/consents', { customer_id: cust.id, purpose: 'marketing_email', granted: true, source: '網站表單 web form' });
  assertStatus(g, 201);
  assert.equal(g.json.granted, true);
  assert.ok(g.json.recorded_at, 'time defaults to now');
  assert.equal(g.json.recorded_by, (await sam.get('/api/v1/auth/me')).json.user.id);
  const w = await sam.post('/api/v1/consents', { customer_id: cust.id, purpose: 'marketing_email', granted: false, source: 'phone call' });
  assertStatus(w, 201);
  // the latest for a purpose is the one in force; the trail stays
  const list = await sam.get(`/api/v1/consents?filter=customer_id:eq:${cust.id}&filter=purpose:eq:marketing_email&sort=-recorded_at`);
  assert.deepEqual(list.json.data.map((x) => x.granted), [false, true]);
  assertError(await sam.post('/api/v1/consents', { customer_id: cust.id, purpose: 'spam', granted: true, source: 'x' }), 422, 'validation_failed', ['purpose']);
  assertError(await sam.post('/api/v1/consents', { customer_id: cust.id, purpose: 'profiling', source: 'x' }), 422, 'validation_failed', ['granted']);
  assertError(await stan.post('/api/v1/consents', { customer_id: cust.id, purpose: 'profiling', granted: true, source: 'x' }), 422, 'validation_failed', ['customer_id']);
});

test('export: the person and everything under them, in one JSON document, audited', async () => {
  const ct = await sam.post('/api/v1/contacts', { customer_id: cust.id, name: '陳太', role: '財務' });
  const it = await sam.post('/api/v1/interactions', { customer_id: cust.id, channel: 'phone', direction: 'inbound', subject: '查詢' });
  assertStatus(ct, 201);
  assertStatus(it, 201);
  const r = await sam.get(`/api/v1/customers/${cust.id}/export`);
  assertStatus(r, 200);
  const x = r.json;
  assert.equal(x.customer.name, '陳大文');
  assert.equal(x.customer.email, 'chan@example.hk');
  assert.deepEqual(x.contacts.map((c) => c.name), ['陳太']);
  assert.deepEqual(x.interactions.map((i) => i.subject), ['查詢']);
  assert.deepEqual(x.customer_identifiers.map((i) => i.kind).sort(), ['email', 'phone']);
  assert.equal(x.consents.length, 2);
  assert.ok(x.history.length >= 1 && x.history[0].action === 'create');
  assert.ok(x.exported_at);
  const ev = (await root.get('/api/v1/audit?action=export')).json.data;
  assert.equal(ev[0].user, 'sam');
  assert.deepEqual([ev[0].detail.entity, ev[0].detail.record_id], ['customers', cust.id]);
});

test('export follows the export scope: other team 404, marketing 403, admin all', async () => {
  assertError(await stan.get(`/api/v1/customers/${cust.id}/export`), 404, 'not_found');
  assertError(await mark.get(`/api/v1/customers/${cust.id}/export`), 403, 'forbidden');
  assertStatus(await root.get(`/api/v1/customers/${cust.id}/export`), 200);
  const ctId = (await sam.get(`/api/v1/contacts?filter=customer_id:eq:${cust.id}`)).json.data[0].id;
  assertError(await sam.get(`/api/v1/contacts/${ctId}/export`), 404, 'not_found');
  assertError(await sam.get('/api/v1/customers/987654/export'), 404, 'not_found');
  // a read share does not allow taking the data away
  const stanId = (await stan.get('/api/v1/auth/me')).json.user.id;
  assertStatus(await sam.post(`/api/v1/customers/${cust.id}/shares`, { user_id: stanId, access: 'edit' }), 201);
  assertStatus(await stan.get(`/api/v1/customers/${cust.id}`), 200);
  assertError(await stan.get(`/api/v1/customers/${cust.id}/export`), 403, 'forbidden');
});

test('erasure: every erased value is gone from the database files; the trail stays pseudonymised', async () => {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const V = {
    name: '抹除測試李四九', family: '李四九', email: 'erase.me.7391@example.org', phone: '+852 6123 7391',
    mobile: '+852 5987 2468', address: '九龍彌敦道七三九一號', birth: '1979-03-19', notes: '秘密備註七三九一',
    card: 'CARD-ERASE-7391', contact: '抹除聯絡人王五', contactMail: 'contact.erase.7391@example.org',
  };
  const c = await root.post('/api/v1/customers', {
    name: V.name, family_name: V.family, email: V.email, phone: V.phone, address: V.address,
    birth_date: V.birth, notes: V.notes, kind: 'company',
  }, { headers: { 'idempotency-key': 'erase-7391' } });
  assertStatus(c, 201);
  const id = c.json.id;
  assertStatus(await root.patch(`/api/v1/customers/${id}`, { mobile: V.mobile }), 200);
  assertStatus(await root.post('/api/v1/customer_identifiers', { customer_id: id, kind: 'member_card', value: V.card }), 201);
  assertStatus(await root.post('/api/v1/contacts', { customer_id: id, name: V.contact, email: V.contactMail }), 201);
  assertStatus(await root.post('/api/v1/consents', { customer_id: id, purpose: 'profiling', granted: true, source: 'store' }), 201);
  assertStatus(await root.post('/api/v1/interactions', { customer_id: id, channel: 'sms', direction: 'outbound', subject: 'hello' }), 201);

  // only admins, and only when confirmed
  assertError(await sam.post(`/api/v1/customers/${id}/erase`, { confirm: true }), 403, 'forbidden');
  assertError(await root.post(`/api/v1/customers/${id}/erase`, {}), 422, 'validation_failed', ['confirm']);
  assertStatus(await root.post(`/api/v1/customers/${id}/erase`, { confirm: true }), 204);

  assertError(await root.get(`/api/v1/customers/${id}`), 404, 'not_found');
  const h = await root.get(`/api/v1/customers/${id}/history`);
  assertStatus(h, 200);
  assert.equal(h.json.data.at(-1).action, 'erase');
  assert.ok(h.json.data.some((x) => x.changes.some((ch) => ch.new === '(erased)')), 'values pseudonymised in the trail');
  assert.equal((await root.get(`/api/v1/customer_identifiers?filter=customer_id:eq:${id}`)).json.data.length, 0);
  const ev = (await root.get('/api/v1/audit?action=erase')).json.data[0];
  assert.deepEqual([ev.user, ev.detail.record_id], ['root', id]);

  // the bytes of the database and its log: none of the values, in any form
  const needles = [...Object.values(V), V.email.toUpperCase(), '+85261237391', '+85259872468', V.card.replace(/-/g, '')];
  for (const f of ['guanxi.db', 'guanxi.db-wal']) {
    let bytes;
    try { bytes = await fs.readFile(path.join(srv.dir, f)); } catch { continue; }
    for (const n of needles) assert.equal(bytes.indexOf(Buffer.from(n, 'utf8')), -1, `${n} is still in ${f}`);
  }
  // the server goes on working
  assertStatus(await root.post('/api/v1/customers', { name: '之後' }), 201);
});
