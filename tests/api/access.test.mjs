// Record-level access: the authorization matrix. Every entity of the
// registry (GET /api/v1/meta/entities) × every role × a record of one's own,
// of a team-mate's team, and of another team; each of get, list, history,
// update and delete must be allowed, 403 or 404 exactly as the permission
// table (GET /api/v1/roles) says. A new entity is covered without new code.
import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, snapshot } from './lib/server.mjs';

// north has a sub-team north-east; south is elsewhere
const TEAMS = [{ name: 'north' }, { name: 'north-east', parent: 'north' }, { name: 'south' }];
const USERS = [
  { name: 'root', role: 'admin' },
  { name: 'mona', role: 'manager', team: 'north' },
  { name: 'sam', role: 'sales', team: 'north-east' },
  { name: 'sue', role: 'sales', team: 'north-east' },
  { name: 'stan', role: 'sales', team: 'south' },
  { name: 'sven', role: 'service', team: 'south' },
  { name: 'mark', role: 'marketing', team: 'south' },
  { name: 'rory', role: 'readonly' },
];
const TEAM_OF = Object.fromEntries(USERS.map((u) => [u.name, u.team || null]));
const UNDER = { north: ['north', 'north-east'], 'north-east': ['north-east'], south: ['south'] };

let srv, api = {}, ids = {}, scopes = {}, entities = [], seq = 0;

// Bodies per entity, so the matrix needs no code per entity beyond this.
const PATCH = {
  customers: () => ({ notes: `patched ${++seq}` }),
  contacts: () => ({ role: `patched ${++seq}` }),
  customer_identifiers: () => ({ value: `ACC-P-${++seq}` }),
  interactions: () => ({ subject: `patched ${++seq}` }),
  teams: () => ({ description: `patched ${++seq}` }),
  consents: () => ({ note: `patched ${++seq}` }),
};

before(async () => {
  srv = await startServer({ teams: TEAMS, users: USERS });
  for (const u of USERS) api[u.name] = srv.api(u.name);
  const root = api.root;
  const me = async (n) => (await api[n].get('/api/v1/auth/me')).json.user.id;
  const uid = {};
  for (const u of USERS) uid[u.name] = await me(u.name);
  // records owned by sam (north-east) and by stan (south); children follow
  for (const owner of ['sam', 'stan']) {
    const c = await root.post('/api/v1/customers', { name: `${owner} 公司`, kind: 'company', owner_id: uid[owner] });
    assertStatus(c, 201);
    const ct = await root.post('/api/v1/contacts', { customer_id: c.json.id, name: `${owner} 聯絡人` });
    const ci = await root.post('/api/v1/customer_identifiers', { customer_id: c.json.id, kind: 'member_card', value: `ACC-${owner}` });
    const it = await root.post('/api/v1/interactions', { customer_id: c.json.id, channel: 'phone', direction: 'inbound' });
    const cs = await root.post('/api/v1/consents', { customer_id: c.json.id, purpose: 'marketing_email', granted: true, source: 'web form' });
    for (const r of [ct, ci, it, cs]) assertStatus(r, 201);
    ids[owner] = { customers: c.json.id, contacts: ct.json.id, customer_identifiers: ci.json.id, interactions: it.json.id, consents: cs.json.id };
  }
  const t = (await root.get('/api/v1/teams?filter=name:eq:south')).json.data[0];
  ids.sam.teams = ids.stan.teams = t.id;
  // the spec under test: the permission table, and the registry
  for (const r of (await root.get('/api/v1/roles')).json.data) scopes[r.role] = r.entities;
  entities = (await root.get('/api/v1/meta/entities')).json.data.map((e) => e.name);
});
after(async () => srv && srv.close());

// May `user` touch `owner`'s record with this scope? (children follow their customer)
function covers(scope, user, owner, entity) {
  if (entity === 'teams') return scope !== 'none';
  if (scope === 'all') return true;
  if (scope === 'none') return false;
  if (user === owner) return true;
  return scope === 'team' && TEAM_OF[user] && (UNDER[TEAM_OF[user]] || []).includes(TEAM_OF[owner]);
}

test('the table and the registry are there', () => {
  assert.deepEqual(Object.keys(scopes).sort(), ['admin', 'manager', 'marketing', 'readonly', 'sales', 'service']);
  for (const e of ['customers', 'contacts', 'customer_identifiers', 'interactions', 'teams']) assert.ok(entities.includes(e), e);
  assert.equal(scopes.sales.customers.read, 'own');
  assert.equal(scopes.manager.customers.update, 'team');
  assert.equal(scopes.admin.customers.delete, 'all');
  assert.equal(scopes.readonly.customers.update, 'none');
});

for (const user of USERS.map((u) => u.name)) {
  describe(`${user} (${USERS.find((u) => u.name === user).role})`, () => {
    for (const owner of ['sam', 'stan']) {
      test(`on ${owner}'s records: get, list, history, update, delete as the table says`, async () => {
        const role = USERS.find((u) => u.name === user).role;
        const a = api[user];
        for (const e of entities) {
          assert.ok(PATCH[e], `no patch body for entity ${e}: add one to access.test.mjs`);
          const id = ids[owner][e];
          const s = scopes[role][e];
          const visible = covers(s.read, user, owner, e);
          const where = `${user} → ${e} ${id} of ${owner}`;
          // read paths
          const g = await a.get(`/api/v1/${e}/${id}`);
          if (visible) assertStatus(g, 200); else assertError(g, 404, 'not_found');
          const l = await a.get(`/api/v1/${e}?filter=id:eq:${id}`);
          assertStatus(l, 200);
          assert.equal(l.json.data.length, visible ? 1 : 0, `list: ${where}`);
          const h = await a.get(`/api/v1/${e}/${id}/history`);
          if (visible) assertStatus(h, 200); else assertError(h, 404, 'not_found');
          // writes: no permission at all → 403; cannot see → 404; can see, not change → 403
          const expect = (act) => (s[act] === 'none' ? 403 : !visible ? 404 : covers(s[act], user, owner, e) ? 'ok' : 403);
          let snap = await snapshot(api.root);
          const u = await a.patch(`/api/v1/${e}/${id}`, PATCH[e]());
          const eu = expect('update');
          if (eu === 'ok') assertStatus(u, 200);
          else {
            assertError(u, eu, eu === 404 ? 'not_found' : 'forbidden');
            assert.deepEqual(await snapshot(api.root), snap, `a refused update wrote something: ${where}`);
          }
          if (e === 'teams') continue;	// teams stay: deleting one would orphan its users' records
          snap = await snapshot(api.root);
          const d = await a.del(`/api/v1/${e}/${id}`);
          const ed = expect('delete');
          if (ed === 'ok') {
            assertStatus(d, 204);
            assertStatus(await api.root.post(`/api/v1/${e}/${id}/restore`), 200);
          } else {
            assertError(d, ed, ed === 404 ? 'not_found' : 'forbidden');
            assert.deepEqual(await snapshot(api.root), snap, `a refused delete wrote something: ${where}`);
          }
        }
      });
    }
  });
}

describe('creating', () => {
  test('a sales rep creates customers of their own, not for others', async () => {
    const me = (await api.sam.get('/api/v1/auth/me')).json.user.id;
    const stan = (await api.stan.get('/api/v1/auth/me')).json.user.id;
    const c = await api.sam.post('/api/v1/customers', { name: '自己的客戶' });
    assertStatus(c, 201);
    assert.equal(c.json.owner_id, me);
    const north_east = (await api.root.get('/api/v1/teams?filter=name:eq:north-east')).json.data[0].id;
    assert.equal(c.json.team_id, north_east, 'the team follows the owner');
    const snap = await snapshot(api.root);
    assertError(await api.sam.post('/api/v1/customers', { name: '別人的客戶', owner_id: stan }), 403, 'forbidden');
    assert.deepEqual(await snapshot(api.root), snap, 'a refused create wrote something');
  });

  test("a child record needs a customer one may see: another team's is 'no such customer'", async () => {
    const r = await api.sam.post('/api/v1/interactions', { customer_id: ids.stan.customers, channel: 'phone', direction: 'outbound' });
    assertError(r, 422, 'validation_failed', ['customer_id']);
    assertStatus(await api.sam.post('/api/v1/interactions', { customer_id: ids.sam.customers, channel: 'sms', direction: 'outbound' }), 201);
  });

  test('a manager sees and changes the records of the team and the teams below it', async () => {
    const c = await api.sue.post('/api/v1/customers', { name: '同隊客戶' });
    assertStatus(c, 201);
    assertStatus(await api.mona.patch(`/api/v1/customers/${c.json.id}`, { city: '台北市' }), 200);
    assertError(await api.sam.get(`/api/v1/customers/${c.json.id}`), 404, 'not_found');	// a team-mate, not the owner
  });

  test('transferring ownership hands the record over, team included', async () => {
    const sue = (await api.sue.get('/api/v1/auth/me')).json.user.id;
    const c = await api.sam.post('/api/v1/customers', { name: '移交客戶', phone: '+886 2 2345 6789' });
    assertStatus(c, 201);
    assertStatus(await api.sam.patch(`/api/v1/customers/${c.json.id}`, { owner_id: sue }), 200);
    assertError(await api.sam.get(`/api/v1/customers/${c.json.id}`), 404, 'not_found');
    const got = await api.sue.get(`/api/v1/customers/${c.json.id}`);
    assertStatus(got, 200);
    assert.equal(got.json.owner_id, sue);
    // the identifiers made from the phone moved with it
    const idl = await api.sue.get(`/api/v1/customer_identifiers?filter=customer_id:eq:${c.json.id}`);
    assert.equal(idl.json.data.length, 1);
  });
});

describe('sharing', () => {
  let uid = {}, south;
  before(async () => {
    for (const u of USERS) uid[u.name] = (await api[u.name].get('/api/v1/auth/me')).json.user.id;
    south = (await api.root.get('/api/v1/teams?filter=name:eq:south')).json.data[0].id;
  });

  test('a read share lets one see the record and its children, not change it', async () => {
    const c = (await api.sam.post('/api/v1/customers', { name: '共享客戶', kind: 'company' })).json;
    const ct = (await api.sam.post('/api/v1/contacts', { customer_id: c.id, name: '共享聯絡人' })).json;
    const p = `/api/v1/customers/${c.id}`;
    assertError(await api.stan.get(p), 404, 'not_found');
    const sh = await api.sam.post(`${p}/shares`, { user_id: uid.stan, access: 'read' });
    assertStatus(sh, 201);
    assert.equal(sh.json.access, 'read');
    assertStatus(await api.stan.get(p), 200);
    assert.equal((await api.stan.get(`/api/v1/customers?filter=id:eq:${c.id}`)).json.data.length, 1);
    assertStatus(await api.stan.get(`/api/v1/contacts/${ct.id}`), 200);
    const snap = await snapshot(api.root);
    assertError(await api.stan.patch(p, { notes: 'no' }), 403, 'forbidden');
    assertError(await api.stan.del(p), 403, 'forbidden');
    assertError(await api.stan.post('/api/v1/interactions', { customer_id: c.id, channel: 'phone', direction: 'inbound' }), 403, 'forbidden');
    assert.deepEqual(await snapshot(api.root), snap, 'a refused write wrote something');
  });

  test('an edit share lets one change it, never delete it or share it further; removing the share ends it', async () => {
    const c = (await api.sam.post('/api/v1/customers', { name: '可編輯共享' })).json;
    const p = `/api/v1/customers/${c.id}`;
    assertStatus(await api.sam.post(`${p}/shares`, { user_id: uid.stan, access: 'read' }), 201);
    const sh = await api.sam.post(`${p}/shares`, { user_id: uid.stan, access: 'edit' });
    assertStatus(sh, 201);
    const list = (await api.sam.get(`${p}/shares`)).json.data;
    assert.equal(list.length, 1, 'a second share for the same user replaces the first');
    assert.equal(list[0].access, 'edit');
    assertStatus(await api.stan.patch(p, { notes: '由 stan 更新' }), 200);
    assertStatus(await api.stan.post('/api/v1/interactions', { customer_id: c.id, channel: 'email', direction: 'outbound' }), 201);
    assertError(await api.stan.del(p), 403, 'forbidden');
    assertError(await api.stan.post(`${p}/shares`, { user_id: uid.sven }), 403, 'forbidden');
    const h = (await api.sam.get(`${p}/history`)).json.data.map((x) => x.action);
    assert.ok(h.includes('share'), `history records the share: ${h}`);
    assertStatus(await api.sam.del(`${p}/shares/${sh.json.id}`), 204);
    assertError(await api.stan.get(p), 404, 'not_found');
    assertError(await api.sam.del(`${p}/shares/${sh.json.id}`), 404, 'not_found');
    assert.ok((await api.sam.get(`${p}/history`)).json.data.some((x) => x.action === 'unshare'));
  });

  test('a team share reaches the members of that team', async () => {
    const c = (await api.sam.post('/api/v1/customers', { name: '團隊共享' })).json;
    const p = `/api/v1/customers/${c.id}`;
    assertError(await api.sven.get(p), 404, 'not_found');
    assertStatus(await api.sam.post(`${p}/shares`, { team_id: south }), 201);
    assertStatus(await api.sven.get(p), 200);
    assertStatus(await api.stan.get(p), 200);
    assertError(await api.sue.get(p), 404, 'not_found');
  });

  test('bad shares → 422 or 404, nothing written', async () => {
    const c = (await api.sam.post('/api/v1/customers', { name: '錯誤共享' })).json;
    const p = `/api/v1/customers/${c.id}/shares`;
    const bad = [
      [{ user_id: uid.stan, team_id: south }, 'team_id'],
      [{}, 'user_id'],
      [{ user_id: 987654 }, 'user_id'],
      [{ team_id: 'south' }, 'team_id'],
      [{ user_id: uid.stan, access: 'write' }, 'access'],
      [{ user_id: uid.stan, colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bad) assertError(await api.sam.post(p, body), 422, 'validation_failed', [field]);
    assert.equal((await api.sam.get(p)).json.data.length, 0);
    assertError(await api.stan.post(p, { user_id: uid.stan }), 404, 'not_found');	// not his to see
    assertError(await api.sam.post(`/api/v1/contacts/1/shares`, { user_id: uid.stan }), 404, 'not_found');
    assertError(await api.rory.post(p, { user_id: uid.stan }), 403, 'forbidden');	// readonly
  });
});
