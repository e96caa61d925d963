// The customer 360° view (issue 4): GET /api/v1/customers/{id}/overview —
// profile, related records, one timeline newest first, key figures — within
// the caller's access and masking.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, stan, mark, cust, other;
const AT = ['2025-11-02T09:00:00.000Z', '2026-01-15T14:30:00.000Z', '2026-03-01T08:00:00.000Z', '2026-02-10T11:00:00.000Z'];

before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }, { name: 'south' }],
    users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
      { name: 'stan', role: 'sales', team: 'south' }, { name: 'mark', role: 'marketing', team: 'south' }],
  });
  [root, sam, stan, mark] = ['root', 'sam', 'stan', 'mark'].map((n) => srv.api(n));
  const c = await sam.post('/api/v1/customers', { name: '大文貿易', kind: 'company', phone: '+852 9123 4567', email: 'dawen@example.hk', country: 'HK' });
  assertStatus(c, 201);
  cust = c.json;
  const o = await stan.post('/api/v1/customers', { name: 'Other Ltd', kind: 'company' });
  assertStatus(o, 201);
  other = o.json;
  const channels = ['phone', 'email', 'phone', 'face_to_face'];
  const subjects = ['首次來電', 'Quote sent', '回访', '門市到訪'];
  for (let i = 0; i < AT.length; i++) {
    assertStatus(await sam.post('/api/v1/interactions', {
      customer_id: cust.id, channel: channels[i], direction: 'inbound', subject: subjects[i], occurred_at: AT[i],
    }), 201);
  }
  assertStatus(await sam.post('/api/v1/contacts', { customer_id: cust.id, name: '陳太', phone: '+852 9876 5432' }), 201);
  assertStatus(await sam.post('/api/v1/customer_identifiers', { customer_id: cust.id, kind: 'member_card', value: 'VIP-0001' }), 201);
  assertStatus(await stan.post('/api/v1/interactions', { customer_id: other.id, channel: 'sms', direction: 'outbound', subject: 'not theirs' }), 201);
});
after(async () => srv && srv.close());

test('profile, related records, the timeline newest first and key figures', async () => {
  const r = await sam.get(`/api/v1/customers/${cust.id}/overview`);
  assertStatus(r, 200);
  const ov = r.json;
  assert.equal(ov.profile.id, cust.id);
  assert.equal(ov.profile.phone, '+852 9123 4567');
  assert.deepEqual(ov.related.contacts.map((x) => x.name), ['陳太']);
  assert.deepEqual(ov.related.customer_identifiers.map((x) => x.kind).sort(), ['email', 'member_card', 'phone']);
  assert.deepEqual(ov.timeline.map((t) => t.at), [...AT].sort().reverse());
  assert.deepEqual(ov.timeline.map((t) => t.title), ['回访', '門市到訪', 'Quote sent', '首次來電']);
  assert.ok(ov.timeline.every((t) => t.entity === 'interactions' && t.record.customer_id === cust.id));
  assert.equal(ov.timeline[0].kind, 'phone');
  assert.equal(ov.key_figures.first_contact, AT[0]);
  assert.equal(ov.key_figures.last_contact, AT[2]);
  assert.equal(ov.key_figures.timeline_items, 4);
  assert.deepEqual(ov.key_figures.per_kind.interactions, { phone: 2, email: 1, face_to_face: 1 });
  assert.equal(ov.key_figures.lifetime_spend, null, 'no orders module yet');
  assert.deepEqual(ov.open_items, []);
});

test('a new interaction joins the timeline and the figures', async () => {
  const at = '2026-04-01T10:00:00.000Z';
  assertStatus(await sam.post('/api/v1/interactions', { customer_id: cust.id, channel: 'chat', direction: 'inbound', subject: 'live chat', occurred_at: at }), 201);
  const ov = (await sam.get(`/api/v1/customers/${cust.id}/overview`)).json;
  assert.equal(ov.timeline[0].title, 'live chat');
  assert.equal(ov.key_figures.last_contact, at);
  assert.equal(ov.key_figures.per_kind.interactions.chat, 1);
});

test('limit cuts the timeline, not the figures', async () => {
  const ov = (await sam.get(`/api/v1/customers/${cust.id}/overview?limit=2`)).json;
  assert.equal(ov.timeline.length, 2);
  assert.equal(ov.key_figures.timeline_items, 5);
});

test('another team\'s customer is not found; masking applies everywhere', async () => {
  assertError(await stan.get(`/api/v1/customers/${cust.id}/overview`), 404, 'not_found');
  assertError(await sam.get(`/api/v1/customers/${other.id}/overview`), 404, 'not_found');
  const m = await mark.get(`/api/v1/customers/${cust.id}/overview`);
  assertStatus(m, 200);
  const text = JSON.stringify(m.json);
  for (const secret of ['9123 4567', '91234567', 'dawen@example.hk', '9876 5432']) {
    assert.ok(!text.includes(secret), `marketing sees ${secret}`);
  }
});

test('bad requests', async () => {
  assertError(await root.get('/api/v1/customers/abc/overview'), 404, 'not_found');
  assertError(await root.get('/api/v1/customers/999999/overview'), 404, 'not_found');
  assertError(await root.get(`/api/v1/customers/${cust.id}/overview?limit=0`), 400, 'bad_request');
  assertError(await root.get(`/api/v1/customers/${cust.id}/overview?limit=101`), 400, 'bad_request');
  assertError(await root.get(`/api/v1/customers/${cust.id}/overview?since=2020`), 400, 'bad_request');
  assertError(await srv.api(null).get(`/api/v1/customers/${cust.id}/overview`), 401, 'unauthorized');
});
