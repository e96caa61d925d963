// Import and export: CSV (UTF-8 with or without BOM, GB18030, Big5), XLSX and
// vCard, from the command line and the API. Real readers check the outputs:
// iconv writes the GB18030/Big5 inputs, LibreOffice reads the XLSX back,
// python3-vobject parses the vCards. Bad rows are reported with their line
// and reason and leave nothing behind; imports are reverted as a whole.
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
/** RFC 4180 rows of a CSV text (a reader independent of the server's). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', q = false;
  text = text.replace(/^\ufeff/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

import { BIN, startServer, assertError, assertStatus, listAll, makeDataDir, cli, cliOk, sleep, SLOW } from './lib/server.mjs';

let srv, root, sam, sue, mark, tmp;

before(async () => {
  srv = await startServer({ users: [
    { name: 'root', role: 'admin' }, { name: 'sam', role: 'sales' }, { name: 'sue', role: 'sales' },
    { name: 'mark', role: 'marketing' },
  ] });
  [root, sam, sue, mark] = ['root', 'sam', 'sue', 'mark'].map((n) => srv.api(n));
  tmp = await makeDataDir('guanxi-import-');
});
after(async () => {
  if (srv) await srv.close();
  if (tmp && !process.env.GUANXI_KEEP_TMP) await fs.rm(tmp, { recursive: true, force: true });
});

let fileNo = 0;
async function file(content, ext = 'csv') {
  const p = path.join(tmp, `f${++fileNo}.${ext}`);
  await fs.writeFile(p, content);
  return p;
}

/** Bytes of text in an encoding, made by iconv (an independent writer). */
function iconv(text, to) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', to], { input: Buffer.from(text, 'utf8') });
}

async function customersWhere(filter) {
  return listAll(root, 'customers', { filter });
}

async function identifier(kind, value) {
  const r = await root.get(`/api/v1/customer_identifiers?filter=${encodeURIComponent(`value:eq:${value}`)}`);
  assertStatus(r, 200);
  return r.json.data.filter((d) => d.kind === kind);
}

test('CLI: one bad row is reported with line and reason, nothing of it is written, good rows go in', async () => {
  const csv = '\ufeff姓名,電郵,手機,城市,會員卡號,生日\n' +
    '王小明,wang.xm@example.cn,+86 138 0013 8000,上海市,MC-1001,1985-06-15\n' +
    '陳大文,not-an-email,0912-345-678,台北市,MC-1002,1990-01-01\n' +
    '"Smith, John",john.smith@example.com,,London,MC-1003,\n';
  const r = await srv.cli(['import', 'customers', await file(csv)]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /line 3: .*email: not an e-mail address/);
  assert.match(r.stdout, /3 rows, 2 created, 0 updated, 0 skipped, 1 failed/);
  assert.ok(!r.stderr.includes('\r') && !r.stderr.includes('['), 'no progress bar when stderr is not a terminal');
  const got = await customersWhere('city:in:上海市,台北市,London');
  assert.deepEqual(got.map((c) => c.name).sort(), ['Smith, John', '王小明'].sort());
  const wang = got.find((c) => c.name === '王小明');
  assert.equal(wang.email, 'wang.xm@example.cn');
  assert.equal(wang.mobile, '+86 138 0013 8000');
  assert.equal(wang.birth_date, '1985-06-15');
  assert.equal((await identifier('member_card', 'MC-1001'))[0].customer_id, wang.id);
  // the bad row left no customer and no identifier (its card, its phone)
  assert.equal((await identifier('member_card', 'MC-1002')).length, 0);
  assert.equal((await identifier('phone', '0912-345-678')).length, 0);
});

test('CLI: a progress bar on stderr when it is a terminal (import and export)', async () => {
  const rows = ['name,city'];
  for (let i = 0; i < 3000; i++) rows.push(`進度${i},台北市`);
  const p = await file(rows.join('\n') + '\n');
  const out = path.join(tmp, 'progress.csv');
  for (const args of [['import', 'customers', p], ['export', 'customers', out]]) {
    // script(1) gives the command a terminal
    const cmd = [`GUANXI_DATA=${JSON.stringify(srv.dir)}`, 'exec', JSON.stringify(BIN), ...args.map((a) => JSON.stringify(a))].join(' ');
    const tty = execFileSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 120000 * SLOW });
    assert.match(tty, /\r\[#+\.*\] +\d+%/, tty.slice(0, 300));
    assert.match(tty, /100%/);
  }
});

test('CLI: unknown columns are an error naming them; a mapping file maps or ignores them', async () => {
  const csv = '姓名,客戶等級,Fax號碼\n李四,金卡,02-1234\n';
  const p = await file(csv);
  const r = await srv.cli(['import', 'customers', p]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown columns: '客戶等級', 'Fax號碼'/);
  assert.equal((await customersWhere('name:eq:李四')).length, 0);
  const map = await file(JSON.stringify({ '客戶等級': 'notes', 'Fax號碼': null }), 'json');
  const ok = await srv.cli(['import', 'customers', p, '--map', map]);
  assert.equal(ok.code, 0, ok.stderr);
  const [c] = await customersWhere('name:eq:李四');
  assert.equal(c.notes, '金卡');
  // a map naming a field that does not exist
  const bad = await file(JSON.stringify({ '客戶等級': 'level' }), 'json');
  const r2 = await srv.cli(['import', 'customers', p, '--map', bad]);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /level/);
  // English labels and field names work too, with extra spaces and case
  const r3 = await srv.cli(['import', 'customers', await file(' NAME ,Name in Chinese characters,E-mail\nZhao Liu,趙六,zhao.liu@example.com\n')]);
  assert.equal(r3.code, 0, r3.stderr);
  const [z] = await customersWhere('email:eq:zhao.liu@example.com');
  assert.equal(z.local_name, '趙六');
});

test('CLI: malformed CSV, over-long values and wrong cell counts are rejected row by row', async () => {
  const long = '長'.repeat(300);
  const csv = 'name,notes,email\n' +
    'Good One,Taipei,good.one@example.com\n' +
    `${long},Taipei,\n` +
    '"Broken "quote",Taipei,\n' +
    'Too,Many,cells@example.com,extra\n' +
    'Multi,"line one\nline two, ok",multi@example.com\n' +
    '"Unclosed,Taipei,\n';
  const r = await srv.cli(['import', 'customers', await file(csv)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /line 3: .*name/);
  assert.match(r.stderr, /line 4: malformed CSV: text follows a closing quote/);
  assert.match(r.stderr, /line 5: .*more cells than the header/);
  assert.match(r.stderr, /line 8: malformed CSV: a quoted field is not closed/);
  assert.match(r.stdout, /2 created, 0 updated, 0 skipped, 4 failed/);
  assert.equal((await customersWhere('email:eq:multi@example.com'))[0].notes, 'line one\nline two, ok');
  // an empty file and a file without rows
  const e = await srv.cli(['import', 'customers', await file('')]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /empty/);
});

test('CLI: business key update / skip / create, and revert restores everything', async () => {
  await srv.cliOk(['import', 'customers', await file('name,member_card,city\n林美玲,VIP-1,台中市\n吳俊傑,VIP-2,高雄市\n')]);
  const [lin] = await customersWhere('name:eq:林美玲');
  // skip on match: nothing changes, new ones are created
  let r = await srv.cliOk(['import', 'customers', await file('name,member_card,city\n林美玲,VIP-1,台北市\n许伟,VIP-3,杭州市\n'),
    '--key', 'member_card']);
  assert.match(r.stdout, /1 created, 0 updated, 1 skipped, 0 failed/);
  assert.equal((await root.get(`/api/v1/customers/${lin.id}`)).json.city, '台中市');
  // update on match, skip the missing
  r = await srv.cliOk(['import', 'customers', await file('會員卡號,城市,手机\nvip-1,台北市,0911 222 333\nVIP-9,深圳市,\n'),
    '--key', 'member_card', '--on-match', 'update', '--on-missing', 'skip']);
  assert.match(r.stdout, /import (\d+): 2 rows, 0 created, 1 updated, 1 skipped, 0 failed/);
  const importId = r.stdout.match(/import (\d+)/)[1];
  const now = (await root.get(`/api/v1/customers/${lin.id}`)).json;
  assert.equal(now.city, '台北市');
  assert.equal(now.mobile, '0911 222 333');
  assert.equal((await customersWhere('city:eq:深圳市')).length, 0);
  // by e-mail (normalised: case does not matter)
  await srv.cliOk(['import', 'customers', await file('name,email\nAnna Lee,Anna.Lee@Example.com\n')]);
  r = await srv.cliOk(['import', 'customers', await file('email,city\nANNA.LEE@example.COM,Singapore\n'), '--key', 'email', '--on-match', 'update']);
  assert.match(r.stdout, /1 updated/);
  assert.equal((await customersWhere('name:eq:Anna Lee'))[0].city, 'Singapore');
  // revert the update: the prior city and mobile come back
  const rv = await srv.cliOk(['import', 'revert', importId]);
  assert.match(rv.stdout, /reverted/);
  const back = (await root.get(`/api/v1/customers/${lin.id}`)).json;
  assert.equal(back.city, '台中市');
  assert.equal(back.mobile, null);
  assert.equal((await identifier('phone', '0911 222 333')).length, 0, 'the phone identifier went with it');
  const again = await srv.cli(['import', 'revert', importId]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already reverted/);
  // bad options
  const bad = await srv.cli(['import', 'customers', await file('name\nX\n'), '--key', 'shoe_size']);
  assert.equal(bad.code, 1);
  const nokey = await srv.cli(['import', 'customers', await file('name\nX\n'), '--key', 'member_card']);
  assert.equal(nokey.code, 1);
  assert.match(nokey.stderr, /member_card is in no column/);
});

test('GB18030 and Big5: detected, chosen, exported and imported back with the same values', async () => {
  const hant = 'name,city,notes\n陳大文,台北市,"備註：會員, 常客"\n黃淑芬,新竹市,\n';
  const hans = 'name,city,notes\n张伟,广州市,"备注：会员, 常客"\n刘芳,杭州市,\n';
  for (const [text, enc, name] of [[hant, 'BIG5', '陳大文'], [hans, 'GB18030', '张伟']]) {
    const bytes = iconv(text, enc);
    assert.ok(!bytes.equals(Buffer.from(text)), 'really not UTF-8');
    const dir = await makeDataDir('guanxi-enc-');
    await cliOk(['init', '--data', dir]);
    const r = await cliOk(['import', '--data', dir, 'customers', await file(bytes)]);
    assert.match(r.stdout, /2 created/);
    const out = path.join(dir, `out.csv`);
    await cliOk(['export', '--data', dir, 'customers', '--encoding', enc.toLowerCase(), out]);
    const exported = await fs.readFile(out);
    const decoded = new TextDecoder(enc.toLowerCase()).decode(exported);
    assert.ok(decoded.includes(name) && decoded.includes('會員, 常客'.slice(0, 0) + (enc === 'BIG5' ? '"備註：會員, 常客"' : '"备注：会员, 常客"')), decoded);
    // and back into a fresh folder, the encoding chosen by flag this time
    const dir2 = await makeDataDir('guanxi-enc2-');
    await cliOk(['init', '--data', dir2]);
    await cliOk(['import', '--data', dir2, 'customers', out, '--encoding', enc.toLowerCase()]);
    const a = await cliOk(['export', '--data', dir, 'customers', '--format', 'csv']);
    const b = await cliOk(['export', '--data', dir2, 'customers', '--format', 'csv']);
    const pick = (t) => parseCsv(t).slice(1).map((r) => [r[2], r[10], r[23]]);
    assert.deepEqual(pick(b.stdout), pick(a.stdout));
    assert.equal(pick(a.stdout).length, 2);
    assert.ok(b.stdout.includes(name));
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(dir2, { recursive: true, force: true });
  }
});

test('wrong encodings: a simplified character cannot go to Big5; invalid bytes reject their row', async () => {
  const dir = await makeDataDir('guanxi-enc3-');
  await cliOk(['init', '--data', dir]);
  await cliOk(['import', '--data', dir, 'customers', await file('name\n陈伟\n')]);
  const r = await cli(['export', '--data', dir, 'customers', '--encoding', 'big5', path.join(dir, 'x.csv')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /陈 \(U\+9648\) cannot be written in Big5/);
  await assert.rejects(fs.stat(path.join(dir, 'x.csv')), 'no half-written file is left');
  // a Big5 file with one broken row
  const good = iconv('name,city\n陳大文,台北市\n', 'BIG5');
  const broken = Buffer.concat([good, Buffer.from([0xFF, 0xFE, 0x2C, 0x41, 0x0A]), iconv('林志明,台中市\n', 'BIG5')]);
  const r2 = await cli(['import', '--data', dir, 'customers', await file(broken), '--encoding', 'big5']);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /line 3: column 1: bytes that are not valid Big5 text/);
  assert.match(r2.stdout, /2 created, 0 updated, 0 skipped, 1 failed/);
  // a UTF-8 file with a broken byte, the encoding forced
  const r3 = await cli(['import', '--data', dir, 'customers', await file(Buffer.concat([Buffer.from('name\nok 好\n'), Buffer.from([0x41, 0xC3, 0x0A])])), '--encoding', 'utf-8']);
  assert.match(r3.stderr, /line 3: .*not valid UTF-8/);
  const bad = await cli(['import', '--data', dir, 'customers', await file('name\nX\n'), '--encoding', 'latin9']);
  assert.equal(bad.code, 1);
  await fs.rm(dir, { recursive: true, force: true });
});

test('XLSX export: LibreOffice reads back the same values as the CSV export', async () => {
  const xlsx = path.join(tmp, 'customers.xlsx');
  await srv.cliOk(['export', 'customers', xlsx]);
  const csv = (await srv.cliOk(['export', 'customers', '--no-bom'])).stdout;
  const outdir = path.join(tmp, 'lo');
  const profile = `file://${tmp}/lo-profile`;
  execFileSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1',
    '--outdir', outdir, xlsx], { timeout: 180000 * SLOW, stdio: 'pipe' });
  const lo = await fs.readFile(path.join(outdir, 'customers.csv'), 'utf8');
  // booleans are real booleans in the XLSX: LibreOffice writes them TRUE/FALSE
  const a = parseCsv(lo).map((row) => row.map((c) => (c === 'TRUE' ? 'true' : c === 'FALSE' ? 'false' : c)));
  const b = parseCsv(csv);
  assert.equal(a.length, b.length);
  assert.ok(a.length > 5);
  assert.deepEqual(a, b);
  assert.ok(lo.includes('王小明') && lo.includes('Smith, John'), lo.slice(0, 300));
  const r = await srv.cli(['export', 'customers', '--format', 'xlsx']);
  assert.equal(r.code, 1, 'XLSX needs a file');
});

test('vCard 4.0: python3-vobject parses the export; the cards import back', async () => {
  await srv.cliOk(['import', 'customers', await file('name,family_name,given_name,email,phone,mobile,address,city,birth_date,language,notes\n' +
    '歐陽娜娜,歐陽,娜娜,nana@example.tw,+886 2 2345 6789,0912 000 111,"信義路五段7號; 101樓, A室",台北市,1992-03-04,zh-Hant,"喜歡,紅茶; 週末\n來店"\n')]);
  const vcf = path.join(tmp, 'customers.vcf');
  await srv.cliOk(['export', 'customers', vcf]);
  const text = await fs.readFile(vcf, 'utf8');
  for (const line of text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, `line over 75 octets: ${line}`);
  const py = `
import json, sys, vobject
out = []
for c in vobject.readComponents(open(sys.argv[1], encoding='utf-8').read()):
    d = {'fn': c.fn.value, 'version': c.version.value}
    if hasattr(c, 'email'): d['email'] = c.email.value
    if hasattr(c, 'n'): d['n'] = [c.n.value.family, c.n.value.given]
    if hasattr(c, 'note'): d['note'] = c.note.value
    if hasattr(c, 'adr'): d['adr'] = [c.adr.value.street, c.adr.value.city]
    d['tel'] = sorted(t.value for t in c.contents.get('tel', []))
    if hasattr(c, 'bday'): d['bday'] = c.bday.value
    out.append(d)
print(json.dumps(out, ensure_ascii=False))
`;
  const cards = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, vcf], { encoding: 'utf8' }));
  const nana = cards.find((c) => c.fn === '歐陽娜娜');
  assert.ok(nana, JSON.stringify(cards).slice(0, 500));
  assert.equal(nana.version, '4.0');
  assert.equal(nana.email, 'nana@example.tw');
  assert.deepEqual(nana.n, ['歐陽', '娜娜']);
  assert.equal(nana.note, '喜歡,紅茶; 週末\n來店');
  assert.deepEqual(nana.adr, ['信義路五段7號; 101樓, A室', '台北市']);
  assert.deepEqual(nana.tel, ['+886 2 2345 6789', '0912 000 111']);
  assert.equal(nana.bday, '19920304');
  assert.ok(cards.some((c) => c.fn === 'Smith, John'));
  // import the cards into a fresh folder: the same values
  const dir = await makeDataDir('guanxi-vcf-');
  await cliOk(['init', '--data', dir]);
  const r = await cliOk(['import', '--data', dir, 'customers', vcf]);
  assert.match(r.stdout, / 0 failed/);
  const back = JSON.parse((await cliOk(['export', '--data', dir, 'customers', '--format', 'vcard'])).stdout.length ? '1' : '0');
  assert.equal(back, 1);
  const re = await cliOk(['export', '--data', dir, 'customers', path.join(dir, 'again.vcf')]);
  assert.match(re.stderr, /exported/);
  const again = await fs.readFile(path.join(dir, 'again.vcf'), 'utf8');
  const block = (t) => t.split('END:VCARD').find((b) => b.includes('歐陽娜娜'));
  assert.equal(block(again), block(text));
  // a broken card is one rejected row
  const broken = await file('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:好\r\nEMAIL:nope\r\nEND:VCARD\r\nBEGIN:VCARD\r\nVERSION:4.0\r\nno colon here\r\nEND:VCARD\r\n', 'vcf');
  const rb = await cli(['import', '--data', dir, 'customers', broken]);
  assert.match(rb.stderr, /line 1: .*email/);
  assert.match(rb.stderr, /line 6: malformed vCard/);
  await fs.rm(dir, { recursive: true, force: true });
});

async function waitImport(api, id) {
  for (let i = 0; i < 200 * SLOW; i++) {
    const r = await api.get(`/api/v1/imports/${id}`);
    assertStatus(r, 200);
    if (!['queued', 'running'].includes(r.json.status)) return r.json;
    await sleep(50);
  }
  throw new Error('import did not finish');
}

function postCsv(api, query, body, type = 'text/csv; charset=utf-8') {
  return api.call('POST', `/api/v1/imports?${new URLSearchParams(query)}`, { raw: body, headers: { 'content-type': type } });
}

test('API: a background import with progress, errors with line and reason, rejected rows, revert', async () => {
  const rows = ['name,email,city,member_card'];
  for (let i = 0; i < 2500; i++) rows.push(`客戶${i},api${i}@example.cn,成都市,API-${i}`);
  rows.splice(1001, 0, 'Bad Row,bad@@example,成都市,API-X');
  const r = await postCsv(sam, { entity: 'customers' }, rows.join('\n') + '\n');
  assertStatus(r, 202);
  assert.equal(r.headers.get('location'), `/api/v1/imports/${r.json.id}`);
  // progress from the start: the total is known, processed grows to it
  const first = await sam.get(`/api/v1/imports/${r.json.id}`);
  assertStatus(first, 200);
  assert.equal(first.json.total, 2501);
  assert.ok(first.json.processed <= 2501 && ['queued', 'running', 'done'].includes(first.json.status), JSON.stringify(first.json));
  const done = await waitImport(sam, r.json.id);
  assert.equal(done.status, 'done');
  assert.equal(done.total, 2501);
  assert.equal(done.processed, 2501);
  assert.equal(done.created, 2500);
  assert.equal(done.failed, 1);
  assert.deepEqual(done.errors.map((e) => e.line), [1002]);
  assert.match(done.errors[0].reason, /email/);
  const rej = await sam.get(`/api/v1/imports/${r.json.id}/rejected`);
  assertStatus(rej, 200);
  assert.match(rej.headers.get('content-type'), /^text\/csv/);
  assert.equal(rej.text.replace(/^\ufeff/, ''), 'name,email,city,member_card\r\nBad Row,bad@@example,成都市,API-X\r\n');
  // the records are sam's, and another user sees neither them nor the import
  const mine = await listAll(sam, 'customers', { filter: 'city:eq:成都市' });
  assert.equal(mine.length, 2500);
  assertError(await sue.get(`/api/v1/imports/${r.json.id}`), 404);
  assertError(await sue.post(`/api/v1/imports/${r.json.id}/revert`), 404);
  // revert: every record made goes, with its identifiers
  const rv = await sam.post(`/api/v1/imports/${r.json.id}/revert`);
  assertStatus(rv, 200);
  assert.equal(rv.json.status, 'reverted');
  assert.equal((await listAll(root, 'customers', { filter: 'city:eq:成都市' })).length, 0);
  assert.equal((await identifier('member_card', 'API-7')).length, 0);
  assertError(await sam.post(`/api/v1/imports/${r.json.id}/revert`), 409, 'conflict');
});

test('API: multipart upload, options, mapping, key; bad requests change nothing', async () => {
  const form = new FormData();
  form.append('file', new Blob([iconv('姓名,城市,會員編號\n鄭家豪,新北市,MP-1\n', 'BIG5')]), 'x.csv');
  form.append('map', JSON.stringify({ '會員編號': 'member_card' }));
  const res = await fetch(`${srv.url}/api/v1/imports?entity=customers`, {
    method: 'POST', body: form, headers: { authorization: `Bearer ${srv.users.root.token}` } });
  assert.equal(res.status, 202, await res.clone().text());
  const done = await waitImport(root, (await res.json()).id);
  assert.equal(done.created, 1, JSON.stringify(done));
  assert.equal((await identifier('member_card', 'MP-1')).length, 1);
  // update through the key, as a query option
  const up = await postCsv(root, { entity: 'customers', key: 'member_card', on_match: 'update' }, 'member_card,city\nMP-1,基隆市\n');
  assertStatus(up, 202);
  const d2 = await waitImport(root, up.json.id);
  assert.equal(d2.updated, 1);
  assert.equal((await customersWhere('name:eq:鄭家豪'))[0].city, '基隆市');
  // bad requests
  assertError(await postCsv(root, { entity: 'nope' }, 'name\nX\n'), 400);
  assertError(await postCsv(root, { entity: 'customers', encoding: 'ebcdic' }, 'name\nX\n'), 400);
  assertError(await postCsv(root, { entity: 'customers', on_match: 'merge' }, 'name\nX\n'), 400);
  assertError(await postCsv(root, { entity: 'customers' }, ''), 400);
  assertError(await postCsv(root, { entity: 'customers', map: '{bad' }, 'name\nX\n'), 400);
  assertError(await postCsv(root, { entity: 'customers' }, '{"name":"X"}', 'application/json'), 415);
  assertError(await postCsv(mark, { entity: 'customers' }, 'name\nX\n'), 403);
  assertError(await srv.api(null).get('/api/v1/imports/1'), 401);
  // unknown columns: the import fails as a whole and says which
  const u = await postCsv(root, { entity: 'customers' }, 'name,shoe_size\nX,42\n');
  const failed = await waitImport(root, u.json.id);
  assert.equal(failed.status, 'failed');
  assert.match(failed.message, /unknown columns: 'shoe_size'/);
  assert.equal(failed.created, 0);
});

test('API export: CSV and XLSX within the caller\'s export scope, personal data masked', async () => {
  // sam owns some customers; sue owns one
  assertStatus(await sue.post('/api/v1/customers', { name: '蘇小姐', email: 'sue.customer@example.com', city: '澳門' }), 201);
  const a = await sam.get('/api/v1/customers/export?format=csv');
  assertStatus(a, 200);
  assert.match(a.headers.get('content-type'), /^text\/csv/);
  assert.match(a.headers.get('content-disposition'), /customers\.csv/);
  assert.ok(a.text.replace(/^\ufeff/, '').startsWith('id,kind,name'), a.text.slice(0, 50));
  const raw = Buffer.from(await (await fetch(`${srv.url}/api/v1/customers/export`, { headers: { authorization: `Bearer ${srv.users.sam.token}` } })).arrayBuffer());
  assert.deepEqual([...raw.subarray(0, 3)], [0xEF, 0xBB, 0xBF], 'UTF-8 with a BOM by default');
  assert.ok(!a.text.includes('蘇小姐'), 'another sales user\'s customer is not exported');
  const all = await root.get('/api/v1/customers/export');
  assert.ok(all.text.includes('蘇小姐') && all.text.includes('sue.customer@example.com'));
  // marketing may not export by default; given the right, it gets masked data
  assertError(await mark.get('/api/v1/customers/export'), 403);
  assertStatus(await root.patch('/api/v1/roles/marketing', { entities: { customers: { export: 'all' } } }), 200);
  const m = await mark.get('/api/v1/customers/export?format=csv&encoding=gb18030');
  assertStatus(m, 200);
  const text = new TextDecoder('gb18030').decode(Buffer.from(await (await fetch(`${srv.url}/api/v1/customers/export?format=csv&encoding=gb18030`, { headers: { authorization: `Bearer ${srv.users.mark.token}` } })).arrayBuffer()));
  assert.ok(text.includes('蘇小姐'));
  assert.ok(!text.includes('sue.customer@example.com') && text.includes('s***@example.com'), text.slice(0, 400));
  const x = await fetch(`${srv.url}/api/v1/customers/export?format=xlsx`, { headers: { authorization: `Bearer ${srv.users.mark.token}` } });
  assert.equal(x.status, 200);
  const bytes = Buffer.from(await x.arrayBuffer());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX is a zip');
  assertError(await root.get('/api/v1/customers/export?format=pdf'), 400);
  assertError(await root.get('/api/v1/interactions/export?format=vcard'), 400);
  assertError(await root.get('/api/v1/customers/export?encoding=big5&format=xlsx'), 400);
  // the export is in the audit log
  const log = await root.get('/api/v1/audit?action=export');
  assertStatus(log, 200);
  assert.ok(JSON.stringify(log.json).includes('"masked":true'), JSON.stringify(log.json).slice(0, 300));
});

test('duplicates on import: --on-duplicate skip rejects a look-alike, naming it; a new one goes in', async () => {
  const there = await root.post('/api/v1/customers', { name: '黃家豪', country: 'HK', city: '九龍', mobile: '+852 6123 4567' });
  assertStatus(there, 201);
  const csv = 'name,country,city,mobile\n' +
    '黃家豪,HK,九龍,6123 4567\n' + // the same phone, written without +852
    '黄家豪,HK,九龍,\n' + // the same name in 简体, the same city
    '全新客戶,HK,九龍,6999 0000\n';
  const r = await srv.cli(['import', 'customers', await file(csv), '--on-duplicate', 'skip']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`line 2: possible duplicate of customer ${there.json.id} \\(score 100: .*phone`));
  assert.match(r.stderr, new RegExp(`line 3: possible duplicate of customer ${there.json.id} \\(score 50: .*name`));
  assert.match(r.stdout, /3 rows, 1 created, 0 updated, 0 skipped, 2 failed/);
  assert.equal((await customersWhere('city:eq:九龍')).length, 2);
  // without the option, a look-alike is created all the same (the default)
  const again = await srv.cli(['import', 'customers', await file('name,country,city\n黄家豪,HK,九龍\n')]);
  assert.equal(again.code, 0, again.stderr);
  const bad = await srv.cli(['import', 'customers', await file(csv), '--on-duplicate', 'maybe']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /on_duplicate must be create or skip/);
});
