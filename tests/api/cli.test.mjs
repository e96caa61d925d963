// The command line: --help, --version, init (idempotent), migrate, user add,
// token create/list/revoke, errors (one clear line, non-zero), GUANXI_DATA,
// backup (online, readable by sqlite3), demo.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { cli, cliOk, makeDataDir, startServer, assertStatus, freePort, SLOW } from './lib/server.mjs';

const execFileP = promisify(execFile);
let srv, tmp;
before(async () => {
  srv = await startServer({ users: [{ name: 'alice', role: 'admin' }] });
  tmp = await makeDataDir('guanxi-cli-');
});
after(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  if (srv) await srv.close();
});

function oneLine(stderr) {
  const lines = stderr.trim().split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 1, `expected one line on stderr, got: ${JSON.stringify(stderr)}`);
  assert.ok(lines[0].length > 5, `unclear message: ${lines[0]}`);
  return lines[0];
}

test('--help prints usage naming every command, exit 0', async () => {
  const r = await cliOk(['--help']);
  const out = r.stdout + r.stderr;
  for (const c of ['init', 'serve', 'migrate', 'user', 'token', 'backup', 'demo']) assert.match(out, new RegExp(`\\b${c}\\b`), `help names ${c}`);
});

test('--version prints a version, exit 0', async () => {
  const r = await cliOk(['--version']);
  assert.match(r.stdout, /\d+\.\d+/);
  assert.equal(r.stdout.trim().split('\n').length, 1);
});

test('unknown command → non-zero, one clear line on stderr', async () => {
  const r = await cli(['frobnicate', '--data', tmp]);
  assert.notEqual(r.code, 0);
  assert.match(oneLine(r.stderr), /frobnicate/);
});

test('unknown option → non-zero, one line', async () => {
  const r = await cli(['init', '--data', tmp, '--bogus-option']);
  assert.notEqual(r.code, 0);
  oneLine(r.stderr);
});

test('init is idempotent and keeps data; migrate is idempotent', async () => {
  const dir = path.join(tmp, 'idem');
  await cliOk(['init', '--data', dir]);
  await cliOk(['user', 'add', 'carol', '--role', 'sales', '--password-stdin', '--data', dir], { input: 'carol-pw-123456\n' });
  await cliOk(['init', '--data', dir]);
  await cliOk(['migrate', '--data', dir]);
  await cliOk(['migrate', '--data', dir]);
  const t = await cliOk(['token', 'create', 'carol', '--data', dir]);
  assert.match(t.stdout.trim(), /^gx_[A-Za-z0-9_-]{43}$/);
  assert.equal(t.stdout, t.stdout.trim() + '\n');
});

test('init where the folder cannot be made → non-zero, one line', async () => {
  const file = path.join(tmp, 'a-file');
  await fs.writeFile(file, 'x');
  const r = await cli(['init', '--data', path.join(file, 'sub')]);
  assert.notEqual(r.code, 0);
  oneLine(r.stderr);
});

test('GUANXI_DATA is the default data folder', async () => {
  const dir = path.join(tmp, 'envdata');
  await cliOk(['init'], { env: { GUANXI_DATA: dir } });
  await cliOk(['user', 'add', 'dan', '--role', 'readonly', '--password-stdin'], { env: { GUANXI_DATA: dir }, input: 'dan-pw-123456\n' });
  const r = await cliOk(['token', 'create', 'dan', '--data', dir]);
  assert.match(r.stdout.trim(), /^gx_/);
});

test('user add: unknown role, duplicate name → non-zero, one line', async () => {
  const r = await srv.cli(['user', 'add', 'eve', '--role', 'superuser', '--password-stdin'], { input: 'eve-pw-123456\n' });
  assert.notEqual(r.code, 0);
  oneLine(r.stderr);
  const d = await srv.cli(['user', 'add', 'alice', '--role', 'admin', '--password-stdin'], { input: 'another-pw-123\n' });
  assert.notEqual(d.code, 0);
  oneLine(d.stderr);
  // alice's password did not change
  const login = await fetch(`${srv.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: srv.users.alice.password }) });
  assert.equal(login.status, 200);
});

test('user add refuses weak passwords with one clear line', async () => {
  for (const [name, pw] of [['weak1', 'short'], ['weak2', 'password123'], ['weak3', 'weak3'], ['weak4', 'zzzzzzzzzzzz'], ['陳弱', '陳弱']]) {
    const r = await srv.cli(['user', 'add', name, '--role', 'sales', '--password-stdin'], { input: pw + '\n' });
    assert.notEqual(r.code, 0, `${pw} was accepted`);
    assert.match(oneLine(r.stderr), /password/);
    assert.notEqual((await srv.cli(['token', 'create', name])).code, 0, 'no user was made');
  }
});

test('token create for an unknown user → non-zero, nothing on stdout', async () => {
  const r = await srv.cli(['token', 'create', 'nobody']);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, '');
  oneLine(r.stderr);
});

test('token list does not show secrets; revoke works on a running server', async () => {
  const tok = await srv.createToken('alice');
  const list = await srv.cliOk(['token', 'list']);
  assert.ok(list.stdout.includes('alice'), list.stdout);
  assert.ok(!list.stdout.includes(tok), 'token list shows a secret');
  assert.ok(!list.stdout.includes(tok.slice(3, 30)), 'token list shows most of a secret');
  assertStatus(await srv.api(tok).get('/api/v1/auth/me'), 200);
  await srv.revokeToken('alice', tok);
  assert.equal((await srv.api(tok).get('/api/v1/auth/me')).status, 401);
  assertStatus(await srv.api('alice').get('/api/v1/auth/me'), 200);
  // the used, then revoked token shows created, last-used and revoked times
  const after = await srv.cliOk(['token', 'list']);
  const used = after.stdout.split('\n').filter((l) => /\balice\b/.test(l) && (l.match(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d/g) || []).length >= 3);
  assert.ok(used.length >= 1, `no last-used time in token list:\n${after.stdout}`);
  const bad = await srv.cli(['token', 'revoke', '987654']);
  assert.notEqual(bad.code, 0);
  oneLine(bad.stderr);
});

test('serve on a port in use → non-zero, one line', async () => {
  const blocker = net.createServer();
  const port = await freePort();
  await new Promise((r) => blocker.listen(port, '127.0.0.1', r));
  try {
    const r = await cli(['serve', '--data', srv.dir, '--listen', `127.0.0.1:${port}`, '--access-log', 'off'], { timeoutMs: 15000 * SLOW });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /./);
  } finally {
    blocker.close();
  }
});

test('serve with a bad --listen → non-zero, one line', async () => {
  const r = await cli(['serve', '--data', srv.dir, '--listen', 'not-an-address', '--access-log', 'off'], { timeoutMs: 15000 * SLOW });
  assert.notEqual(r.code, 0);
  oneLine(r.stderr);
});

test('backup of a running server is a SQLite file with the right count', async () => {
  const api = srv.api('alice');
  const rs = await Promise.all(Array.from({ length: 7 }, (_, i) => api.post('/api/v1/customers', { name: `備份 ${i}` })));
  for (const r of rs) assertStatus(r, 201);
  const n = (await api.get('/api/v1/customers?limit=500')).json.data.length;
  const file = path.join(tmp, 'backup.db');
  await srv.cliOk(['backup', file]);
  const { stdout } = await execFileP('sqlite3', [file, 'select count(*) from customers']);
  assert.equal(Number(stdout.trim()), n);
  const ic = await execFileP('sqlite3', [file, 'pragma integrity_check']);
  assert.equal(ic.stdout.trim(), 'ok');
  const names = await execFileP('sqlite3', [file, "select name from customers where name like '備份%' order by name"]);
  assert.deepEqual(names.stdout.trim().split('\n'), Array.from({ length: 7 }, (_, i) => `備份 ${i}`));
  // the server still works after the backup
  assertStatus(await api.post('/api/v1/customers', { name: 'after backup' }), 201);
});

test('backup to an unwritable place → non-zero, one line', async () => {
  const r = await srv.cli(['backup', path.join(tmp, 'no', 'such', 'dir', 'b.db')]);
  assert.notEqual(r.code, 0);
  oneLine(r.stderr);
});

test('export: CSV with BOM, every field and custom field, read back by a real CSV reader', async () => {
  const api = srv.api('alice');
  assertStatus(await api.post('/api/v1/meta/entities/customers/fields', { name: 'export_tier', type: 'enum', values: ['金', 'silver'] }), 201);
  const rows = [
    { name: '匯出 陳大文', city: '台北市', notes: 'line one\n第二行, with "quotes"', tags: ['vip', '會員'], export_tier: '金', source: 'export-test' },
    { name: 'Export Wang, Xiaoming', city: '上海市', email: 'wxm.export@example.cn', export_tier: 'silver', source: 'export-test' },
  ];
  const made = [];
  for (const body of rows) {
    const r = await api.post('/api/v1/customers', body);
    assertStatus(r, 201);
    made.push(r.json);
  }
  const file = path.join(tmp, 'customers.csv');
  await srv.cliOk(['export', 'customers', file]);
  const bytes = await fs.readFile(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark');
  // python's csv module is the independent reader
  const py = `import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8-sig', newline='')))
print(json.dumps({'header': list(rows[0].keys()), 'rows': [r for r in rows if r['source'] == 'export-test']}))`;
  const { stdout } = await execFileP('python3', ['-c', py, file]);
  const got = JSON.parse(stdout);
  for (const col of ['id', 'name', 'city', 'tags', 'notes', 'owner_id', 'export_tier', 'created_at', 'version'])
    assert.ok(got.header.includes(col), `column ${col}`);
  assert.equal(got.rows.length, 2);
  const byId = Object.fromEntries(got.rows.map((r) => [Number(r.id), r]));
  assert.equal(byId[made[0].id].name, '匯出 陳大文');
  assert.equal(byId[made[0].id].notes, 'line one\n第二行, with "quotes"');
  assert.equal(byId[made[0].id].tags, 'vip; 會員');
  assert.equal(byId[made[0].id].export_tier, '金');
  assert.equal(byId[made[1].id].name, 'Export Wang, Xiaoming');
  assert.equal(byId[made[1].id].email, 'wxm.export@example.cn');
  assert.equal(byId[made[1].id].notes, '');
  // an existing file is never overwritten; an unknown entity is one clear line
  const again = await srv.cli(['export', 'customers', file]);
  assert.notEqual(again.code, 0);
  oneLine(again.stderr);
  const bad = await srv.cli(['export', 'no_such_entity']);
  assert.notEqual(bad.code, 0);
  oneLine(bad.stderr);
});

test('demo fills Chinese and English customers', async () => {
  const dir = path.join(tmp, 'demo');
  await cliOk(['init', '--data', dir]);
  await cliOk(['demo', '--data', dir, '--customers', '60']);
  const { stdout } = await execFileP('sqlite3', [path.join(dir, await dbFile(dir)), 'select name from customers']);
  const names = stdout.trim().split('\n');
  assert.equal(names.length, 60);
  assert.ok(names.some((n) => /\p{Script=Han}/u.test(n)), 'some Chinese names');
  assert.ok(names.some((n) => /^[A-Za-z]/.test(n)), 'some English names');
});

const sql = async (file, q) => (await execFileP('sqlite3', [file, q])).stdout.trim();
const indexList = (file) => sql(file, "select name || ' ' || coalesce(sql, '') from sqlite_master where type = 'index' order by name");

test('demo builds the indexes it deferred: the same indexes as before, used by the planner', async () => {
  const dir = path.join(tmp, 'demo-indexes');
  await cliOk(['init', '--data', dir]);
  const file = path.join(dir, await dbFile(dir));
  const before = await indexList(file);
  assert.match(before, /customers_city /);
  const first = await cliOk(['demo', '--data', dir, '--customers', '40']);
  assert.match(first.stdout, /indexes built at the end: [\d.]+ s/);
  assert.equal(await indexList(file), before);
  // a second run adds as many customers again: deferred and built again
  await cliOk(['demo', '--data', dir, '--customers', '40']);
  assert.equal(await indexList(file), before);
  assert.equal(await sql(file, 'select count(*) from deferred_indexes'), '0');
  assert.equal(await sql(file, 'select count(*) from customers'), '80');
  assert.match(await sql(file, "explain query plan select id from customers where city = '台北市'"), /customers_city/);
  assert.equal(await sql(file, 'pragma integrity_check'), 'ok');
});

test('a bulk load that died midway: its deferred indexes are built at the next start', async () => {
  const dir = path.join(tmp, 'demo-died');
  await cliOk(['init', '--data', dir]);
  const file = path.join(dir, await dbFile(dir));
  const before = await indexList(file);
  // as store_defer_indexes leaves it: definitions kept, indexes gone (an
  // entity's index, which schema_sync also knows, and history's, which
  // only the deferred definition knows)
  await sql(file, "insert into deferred_indexes select name, sql from sqlite_master where name in ('customers_city', 'history_at');" +
    'drop index customers_city; drop index history_at;');
  assert.doesNotMatch(await indexList(file), /history_at/);
  await cliOk(['migrate', '--data', dir]);
  assert.equal(await indexList(file), before);
  assert.equal(await sql(file, 'select count(*) from deferred_indexes'), '0');
});

test('a deferred index that is no index: one clear line, nothing run', async () => {
  const dir = path.join(tmp, 'demo-bad-deferred');
  await cliOk(['init', '--data', dir]);
  const file = path.join(dir, await dbFile(dir));
  await sql(file, "insert into deferred_indexes values ('x', 'DROP TABLE customers')");
  const r = await cli(['migrate', '--data', dir]);
  assert.notEqual(r.code, 0);
  assert.match(oneLine(r.stderr), /deferred index is not an index/);
  assert.equal(await sql(file, "select count(*) from sqlite_master where name = 'customers'"), '1');
});

test('demo beside a running server keeps the indexes the server reads', async () => {
  // the server of this file serves its folder: the demo must not drop
  // the indexes under it, even adding more customers than there are
  const r = await srv.cli(['demo', '--customers', '30']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /indexes built at the end/);
  assert.match(r.stderr, /a server is serving .*row by row/);
  // the mark lasts as long as the server: stopped, a demo defers again
  const other = await startServer({ users: [{ name: 'bob', role: 'admin' }] });
  try {
    const during = await other.cliOk(['demo', '--customers', '5']);
    assert.doesNotMatch(during.stdout, /indexes built at the end/);
    await other.stop();
    const after = await other.cliOk(['demo', '--customers', '10']);
    assert.match(after.stdout, /indexes built at the end/);
  } finally {
    await other.close();
  }
});

async function dbFile(dir) {
  const files = (await fs.readdir(dir)).filter((f) => /\.(db|sqlite3?)$/.test(f));
  assert.equal(files.length, 1, `one database file in ${dir}: ${files}`);
  return files[0];
}
