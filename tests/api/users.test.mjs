// The users API: admins create users, change role, team or password, and
// remove them; everyone signed in may list them; every change is audited.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertError, assertStatus, request } from './lib/server.mjs';

let srv, root, sam, rootId, north;
before(async () => {
  srv = await startServer({ teams: [{ name: 'north' }], users: [{ name: 'root', role: 'admin' }, { name: 'sam', role: 'sales', team: 'north' }] });
  root = srv.api('root');
  sam = srv.api('sam');
  rootId = (await root.get('/api/v1/auth/me')).json.user.id;
  north = (await root.get('/api/v1/teams?filter=name:eq:north')).json.data[0].id;
});
after(async () => srv && srv.close());

const login = (name, password) => request(srv.url, null, 'POST', '/api/v1/auth/login', { body: { name, password } });

test('an admin creates a user who can then log in; everyone may list users', async () => {
  const r = await root.post('/api/v1/users', { name: '林小姐', password: 'a-long-passphrase-1', role: 'service', team_id: north });
  assertStatus(r, 201);
  assert.equal(r.json.name, '林小姐');
  assert.equal(r.json.role, 'service');
  assert.equal(r.json.team_id, north);
  assert.ok(!('password_hash' in r.json) && !('password' in r.json));
  const l = await login('林小姐', 'a-long-passphrase-1');
  assertStatus(l, 200);
  assert.equal(l.json.user.role, 'service');
  const list = await sam.get('/api/v1/users');
  assertStatus(list, 200);
  assert.ok(list.json.data.some((u) => u.name === '林小姐'));
  assert.ok(!JSON.stringify(list.json).includes('argon2'), 'no hashes in the list');
  const ev = (await root.get('/api/v1/audit?action=user_created')).json.data;
  assert.equal(ev[0].detail.after.name, '林小姐');
});

test('bad users → 422, 409 or 403, and nothing is made', async () => {
  const before = (await root.get('/api/v1/users')).json.data.length;
  const bad = [
    [{ name: 'weak', password: 'password123', role: 'sales' }, 'password'],
    [{ name: 'weak2', password: 'weak2weak2', role: 'sales' }, null],
    [{ name: 'has space', password: 'a-long-passphrase-2', role: 'sales' }, 'name'],
    [{ name: 'norole', password: 'a-long-passphrase-2', role: 'boss' }, 'role'],
    [{ name: 'noteam', password: 'a-long-passphrase-2', role: 'sales', team_id: 987654 }, 'team_id'],
    [{ name: 'extra', password: 'a-long-passphrase-2', role: 'sales', colour: 'red' }, 'colour'],
    [{ name: 'nopass', role: 'sales' }, 'password'],
  ];
  for (const [body, field] of bad) {
    const r = await root.post('/api/v1/users', body);
    if (field) assertError(r, 422, 'validation_failed', [field]);
    else assert.equal(r.status, 201, 'a password that is not the name is fine');
  }
  assertError(await root.post('/api/v1/users', { name: 'sam', password: 'a-long-passphrase-3', role: 'sales' }), 409, 'conflict');
  assertError(await sam.post('/api/v1/users', { name: 'sneaky', password: 'a-long-passphrase-4', role: 'admin' }), 403, 'forbidden');
  assert.equal((await root.get('/api/v1/users')).json.data.length, before + 1);
});

test('role, team and password changes: applied, audited, sessions ended by a new password', async () => {
  const u = (await root.post('/api/v1/users', { name: 'wen', password: 'first-passphrase-1', role: 'sales' })).json;
  const s1 = await login('wen', 'first-passphrase-1');
  const cookie = s1.headers.getSetCookie().find((x) => x.startsWith('gx_session=')).split(';')[0];
  const r = await root.patch(`/api/v1/users/${u.id}`, { role: 'manager', team_id: north });
  assertStatus(r, 200);
  assert.equal(r.json.role, 'manager');
  assert.equal(r.json.team_id, north);
  const ev = (await root.get('/api/v1/audit?action=user_changed')).json.data[0];
  assert.deepEqual([ev.detail.before.role, ev.detail.after.role], ['sales', 'manager']);
  assertStatus(await request(srv.url, { cookie }, 'GET', '/api/v1/auth/me'), 200);
  assertStatus(await root.patch(`/api/v1/users/${u.id}`, { password: 'second-passphrase-2' }), 200);
  assertError(await request(srv.url, { cookie }, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
  assertError(await login('wen', 'first-passphrase-1'), 401, 'unauthorized');
  assertStatus(await login('wen', 'second-passphrase-2'), 200);
  assertError(await root.patch(`/api/v1/users/${u.id}`, { name: 'renamed' }), 422, 'validation_failed', ['name']);
  assertError(await root.patch(`/api/v1/users/${u.id}`, { team_id: 987654 }), 422, 'validation_failed', ['team_id']);
  assertStatus(await root.patch(`/api/v1/users/${u.id}`, { team_id: null }), 200);
  assertError(await root.patch('/api/v1/users/987654', { role: 'sales' }), 404, 'not_found');
  assertError(await sam.patch(`/api/v1/users/${u.id}`, { role: 'admin' }), 403, 'forbidden');
});

test('removing a user ends their tokens and sessions; one cannot remove or demote oneself', async () => {
  await srv.addUser('gone', 'sales');
  const gone = srv.api('gone');
  const id = (await gone.get('/api/v1/auth/me')).json.user.id;
  assertStatus(await root.del(`/api/v1/users/${id}`), 204);
  assertError(await gone.get('/api/v1/auth/me'), 401, 'unauthorized');
  assertError(await root.get(`/api/v1/users/${id}`), 404, 'not_found');
  assertError(await root.del(`/api/v1/users/${id}`), 404, 'not_found');
  assert.equal((await root.get('/api/v1/audit?action=user_removed')).json.data[0].detail.before.name, 'gone');
  assertError(await root.del(`/api/v1/users/${rootId}`), 409, 'conflict');
  assertError(await root.patch(`/api/v1/users/${rootId}`, { role: 'sales' }), 409, 'conflict');
  for (const id2 of ['abc', '0', '-1']) assertError(await root.get(`/api/v1/users/${id2}`), 404, 'not_found');
});

test('disabling a user ends their sessions and refuses their tokens until enabled again; audited', async () => {
  await srv.addUser('dora', 'service');
  const dora = srv.api('dora');
  const id = (await dora.get('/api/v1/auth/me')).json.user.id;
  const s1 = await login('dora', srv.users.dora.password);
  const cookie = s1.headers.getSetCookie().find((x) => x.startsWith('gx_session=')).split(';')[0];
  const r = await root.patch(`/api/v1/users/${id}`, { disabled: true });
  assertStatus(r, 200);
  assert.equal(r.json.disabled, true);
  assert.equal((await root.get(`/api/v1/users/${id}`)).json.disabled, true);
  assert.equal((await root.get('/api/v1/users')).json.data.find((u) => u.id === id).disabled, true, 'listed, marked');
  assertError(await dora.get('/api/v1/auth/me'), 401, 'unauthorized');
  assertError(await request(srv.url, { cookie }, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
  // the right password says what to do; a wrong one says nothing more
  const l = assertError(await login('dora', srv.users.dora.password), 401, 'unauthorized', ['name']);
  assert.match(l.message, /disabled.*administrator/);
  const w = assertError(await login('dora', 'not-her-password-1'), 401, 'unauthorized');
  assert.doesNotMatch(w.message, /disabled/);
  const ev = (await root.get('/api/v1/audit?action=user_changed')).json.data[0];
  assert.deepEqual([ev.detail.before.disabled, ev.detail.after.disabled], [false, true]);

  assertStatus(await root.patch(`/api/v1/users/${id}`, { disabled: false }), 200);
  assertStatus(await dora.get('/api/v1/auth/me'), 200);
  assertStatus(await login('dora', srv.users.dora.password), 200);

  assertError(await root.patch(`/api/v1/users/${rootId}`, { disabled: true }), 409, 'conflict');
  assertError(await root.patch(`/api/v1/users/${id}`, { disabled: 'yes' }), 422, 'validation_failed', ['disabled']);
  assertError(await root.post('/api/v1/users', { name: 'born-off', password: 'a-long-passphrase-5', role: 'sales', disabled: true }),
    422, 'validation_failed', ['disabled']);
  assertError(await sam.patch(`/api/v1/users/${id}`, { disabled: true }), 403, 'forbidden');
  assertError(await root.call('PATCH', `/api/v1/users/${id}`, { raw: '{"disabled": tru' }), 400, 'invalid_json');
  assertError(await root.patch(`/api/v1/users/${id}`, { role: 'x'.repeat(300) }), 422, 'validation_failed', ['role']);
  assert.equal((await root.get(`/api/v1/users/${id}`)).json.disabled, false, 'the refused changes wrote nothing');
});
