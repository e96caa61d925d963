// Teams through the API (the generic records of entity "teams", with the
// rules of src/domain/teams.c): admins list, create, rename, nest and delete
// them; a team with users, teams below it or customers cannot be deleted
// (409, nothing changed); the tree cannot loop; every change is in the
// history and the audit log; other roles read only.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus } from './lib/server.mjs';

let srv, root, sam, mia, north;
before(async () => {
  srv = await startServer({
    teams: [{ name: 'north' }],
    users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' },
      { name: 'mia', role: 'manager', team: 'north' }],
  });
  root = srv.api('root');
  sam = srv.api('sam');
  mia = srv.api('mia');
  north = (await root.get('/api/v1/teams?filter=name:eq:north')).json.data[0].id;
});
after(async () => srv && srv.close());

const teamNames = async () => (await root.get('/api/v1/teams?limit=500')).json.data.map((t) => t.name).sort();

test('an admin creates, renames and nests teams; everyone may list them; each change is audited', async () => {
  const c = await root.post('/api/v1/teams', { name: '華南區', description: '广州、深圳' });
  assertStatus(c, 201);
  assert.equal(c.json.name, '華南區');
  assert.equal(c.json.parent_id, null);
  const sub = await root.post('/api/v1/teams', { name: 'Shenzhen 深圳', parent_id: c.json.id });
  assertStatus(sub, 201);
  const r = await root.patch(`/api/v1/teams/${c.json.id}`, { name: '华南区' });
  assertStatus(r, 200);
  assert.equal(r.json.name, '华南区');
  assert.equal(r.json.version, 2);
  const list = await sam.get('/api/v1/teams');
  assertStatus(list, 200);
  assert.ok(list.json.data.some((t) => t.name === '华南区'));
  const hist = (await root.get(`/api/v1/teams/${c.json.id}/history`)).json.data;
  assert.deepEqual(hist.map((h) => h.action), ['create', 'update']);
  assert.deepEqual(hist[1].changes, [{ field: 'name', old: '華南區', new: '华南区' }]);
  const audit = (await root.get(`/api/v1/audit?entity=teams&record=${c.json.id}`)).json.data;
  assert.deepEqual(audit.map((a) => a.action), ['update', 'create']);
  assert.equal(audit[0].user, 'root');
  // the same name again: 409
  assertError(await root.post('/api/v1/teams', { name: '华南区' }), 409, 'conflict');
  assertError(await root.patch(`/api/v1/teams/${sub.json.id}`, { name: '华南区' }), 409, 'conflict');
});

test('a team with users, teams below it or customers cannot be deleted; an empty one can', async () => {
  const east = (await root.post('/api/v1/teams', { name: 'east' })).json;
  const below = (await root.post('/api/v1/teams', { name: 'east-1', parent_id: east.id })).json;
  const u = (await root.post('/api/v1/users', { name: 'ed', password: 'a-long-passphrase-9', role: 'sales', team_id: east.id })).json;
  const cust = (await root.post('/api/v1/customers', { name: '東區客戶', team_id: east.id })).json;

  let e = assertError(await root.del(`/api/v1/teams/${east.id}`), 409, 'conflict');
  assert.match(e.message, /1 user, 1 team below it, 1 customer/);
  assert.match(e.message, /move them/);
  assertStatus(await root.get(`/api/v1/teams/${east.id}`), 200);

  assertStatus(await root.patch(`/api/v1/users/${u.id}`, { team_id: north }), 200);
  assertStatus(await root.patch(`/api/v1/teams/${below.id}`, { parent_id: null }), 200);
  e = assertError(await root.del(`/api/v1/teams/${east.id}`), 409, 'conflict');
  assert.match(e.message, /\(1 customer\)/);
  assertStatus(await root.patch(`/api/v1/customers/${cust.id}`, { team_id: north }), 200);

  assertStatus(await root.del(`/api/v1/teams/${east.id}`), 204);
  assertError(await root.get(`/api/v1/teams/${east.id}`), 404, 'not_found');
  const audit = (await root.get(`/api/v1/audit?entity=teams&record=${east.id}`)).json.data;
  assert.equal(audit[0].action, 'delete');
  // a deleted team cannot be chosen any more
  assertError(await root.patch(`/api/v1/users/${u.id}`, { team_id: east.id }), 422, 'validation_failed', ['team_id']);
});

test('the tree cannot loop: a team is not its own parent nor below its child', async () => {
  const a = (await root.post('/api/v1/teams', { name: 'loop-a' })).json;
  const b = (await root.post('/api/v1/teams', { name: 'loop-b', parent_id: a.id })).json;
  const c = (await root.post('/api/v1/teams', { name: 'loop-c', parent_id: b.id })).json;
  assertError(await root.patch(`/api/v1/teams/${a.id}`, { parent_id: a.id }), 422, 'validation_failed', ['parent_id']);
  assertError(await root.patch(`/api/v1/teams/${a.id}`, { parent_id: c.id }), 422, 'validation_failed', ['parent_id']);
  assertStatus(await root.patch(`/api/v1/teams/${c.id}`, { parent_id: a.id }), 200);
  assert.equal((await root.get(`/api/v1/teams/${a.id}`)).json.version, 1, 'the refused changes wrote nothing');
});

test('bad input → the right 4xx and nothing written; other roles may not change teams', async () => {
  const before = await teamNames();
  const raw = (body) => root.call('POST', '/api/v1/teams', { raw: body });
  assertError(await raw('{"name": "x"'), 400, 'invalid_json');
  assertError(await raw('["x"]'), 400);
  assertError(await root.post('/api/v1/teams', { name: 42 }), 422, 'validation_failed', ['name']);
  assertError(await root.post('/api/v1/teams', {}), 422, 'validation_failed', ['name']);
  assertError(await root.post('/api/v1/teams', { name: 'x'.repeat(101) }), 422, 'validation_failed', ['name']);
  assertError(await root.post('/api/v1/teams', { name: 'ok', colour: 'red' }), 422, 'validation_failed', ['colour']);
  assertError(await root.post('/api/v1/teams', { name: 'ok', parent_id: 'north' }), 422, 'validation_failed', ['parent_id']);
  assertError(await root.post('/api/v1/teams', { name: 'ok', parent_id: 987654 }), 422, 'validation_failed', ['parent_id']);
  assertError(await root.patch('/api/v1/teams/987654', { name: 'nope' }), 404, 'not_found');
  assertError(await root.del('/api/v1/teams/abc'), 404, 'not_found');
  for (const api of [sam, mia]) {
    assertError(await api.post('/api/v1/teams', { name: 'sneaky' }), 403, 'forbidden');
    assertError(await api.patch(`/api/v1/teams/${north}`, { name: 'renamed' }), 403, 'forbidden');
    assertError(await api.del(`/api/v1/teams/${north}`), 403, 'forbidden');
  }
  assert.deepEqual(await teamNames(), before);
});

test('the audit log filters by record, and refuses parameters it does not know', async () => {
  assertError(await root.get('/api/v1/audit?record=abc'), 400, 'bad_request');
  assertError(await root.get('/api/v1/audit?record=0'), 400, 'bad_request');
  assertError(await root.get('/api/v1/audit?colour=red'), 400, 'bad_request');
  assertError(await sam.get('/api/v1/audit'), 403, 'forbidden');
  const r = await root.get(`/api/v1/audit?record=${north}&entity=teams`);
  assertStatus(r, 200);
  assert.ok(r.json.data.length >= 1);
  assert.ok(r.json.data.every((a) => a.record_id === north && a.entity === 'teams'));
});
