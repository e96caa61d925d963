// Search and lookup latency (issue 4), driven by bench/search.sh against a
// running server with demo data. A mixed query set — 繁體 and 简体 names,
// Latin names, pinyin, phone numbers in several formats, e-mail, member
// cards — is built from records sampled from the data itself, then asked
// by CLIENTS concurrent clients for ROUNDS rounds; /healthz is timed the
// same way as the baseline. Prints p50/p99 per kind and overall and exits
// 1 if a target is missed (search p50 <= 10 ms, p99 <= 50 ms; lookup p99
// <= 2 ms).
const [url, token, roundsArg, clientsArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg || 5), CLIENTS = Number(clientsArg || 2);
const headers = { authorization: `Bearer ${token}` };

async function get(path) {
  const t0 = process.hrtime.bigint();
  const r = await fetch(url + path, { headers });
  const text = await r.text();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status >= 500 || (r.status !== 200 && r.status !== 404)) throw new Error(`${path}: ${r.status} ${text.slice(0, 200)}`);
  return { ms, status: r.status, json: r.status === 200 ? JSON.parse(text) : null };
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function sample(n) {
  const top = (await get('/api/v1/customers?sort=-id&limit=1')).json.data[0].id;
  const out = [];
  for (let i = 0; out.length < n && i < n * 5; i++) {
    const id = 1 + Math.floor(Math.random() * top);
    const r = await get(`/api/v1/customers/${id}`);
    if (r.status === 200) out.push(r.json);
  }
  return out;
}

function queries(cs) {
  const q = [];
  const phones = cs.map((c) => c.mobile || c.phone).filter(Boolean);
  for (const c of cs) {
    if (/\p{Script=Han}/u.test(c.name)) {
      q.push(['cjk', c.name]);                          // a whole name
      q.push(['cjk', [...c.name].slice(0, 2).join('')]); // its first two characters
    } else {
      q.push(['latin', c.name]);
      q.push(['latin', c.name.split(' ').pop()]);       // a family name alone
    }
    if (c.email) q.push(['latin', c.email.split('@')[0]]);
  }
  for (const [a, b] of [['wang xiaoming', 'wangxiaoming'], ['chen dawen', 'cdw'], ['lin meiling', 'lml'], ['zhang wei', 'zw']]) {
    q.push(['pinyin', a]);
    q.push(['pinyin', b]);
  }
  for (const p of phones) {
    const d = p.replace(/\D/g, '');
    q.push(['phone', p]);                               // as stored
    q.push(['phone', d.slice(-8)]);                     // the last eight digits
    q.push(['phone', d.replace(/(\d{3})(\d{4})(\d+)/, '$1-$2-$3')]);
  }
  return q;
}

function lookups(cs) {
  const out = [];
  for (const c of cs) {
    if (c.email) out.push(c.email.toUpperCase());
    const p = c.mobile || c.phone;
    if (p) out.push(p.replace(/\D/g, '').slice(-11));
  }
  return out;
}

async function timed(paths) {
  const times = [];
  let next = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < paths.length) {
      const p = paths[next++];
      times.push([p[0], (await get(p[1])).ms]);
    }
  }));
  return times;
}

function report(label, times) {
  const ms = times.map((t) => t[1]);
  const p50 = pct(ms, 50), p99 = pct(ms, 99);
  console.log(`${label.padEnd(22)} n=${String(ms.length).padStart(5)}  p50 ${p50.toFixed(2).padStart(7)} ms  p99 ${p99.toFixed(2).padStart(7)} ms`);
  return { p50, p99 };
}

const cs = await sample(60);
const qs = queries(cs);
const ls = lookups(cs);
const rounds = (xs) => Array.from({ length: ROUNDS }, () => xs).flat();
// The same sets as lists of paths, for bench/search.sh to replay with wrk.
if (process.env.BENCH_SEARCH_PATHS) {
  const fs = await import('node:fs');
  const write = (name, paths) => fs.writeFileSync(`${process.env.BENCH_SEARCH_PATHS}/${name}.paths`, paths.join('\n') + '\n');
  const searchPath = ([, q]) => `/api/v1/search?q=${encodeURIComponent(q)}`;
  write('healthz', ['/healthz']);
  for (const kind of ['cjk', 'latin', 'pinyin', 'phone']) write(`search-${kind}`, qs.filter(([k]) => k === kind).map(searchPath));
  write('search-all', qs.map(searchPath));
  write('lookup', ls.map((v) => `/api/v1/lookup?identifier=${encodeURIComponent(v)}`));
}
await timed(rounds(qs).slice(0, 50).map(([k, q]) => [k, `/api/v1/search?q=${encodeURIComponent(q)}`])); // warm-up
const base = await timed(rounds(qs).map(() => ['healthz', '/healthz']));
const search = await timed(rounds(qs).map(([k, q]) => [k, `/api/v1/search?q=${encodeURIComponent(q)}`]));
const look = await timed(rounds(ls).map((v) => ['lookup', `/api/v1/lookup?identifier=${encodeURIComponent(v)}`]));
console.log(`${qs.length} queries and ${ls.length} identifiers from ${cs.length} sampled customers, ${ROUNDS} rounds, ${CLIENTS} clients`);
const b = report('GET /healthz (base)', base);
for (const kind of ['cjk', 'latin', 'pinyin', 'phone']) report(`  search: ${kind}`, search.filter((t) => t[0] === kind));
const s = report('search (all)', search);
const l = report('lookup', look);
console.log(`ratios to /healthz p50: search ${(s.p50 / b.p50).toFixed(1)}x, lookup ${(l.p50 / b.p50).toFixed(1)}x`);
const misses = [];
if (s.p50 > 10) misses.push(`search p50 ${s.p50.toFixed(2)} ms > 10 ms`);
if (s.p99 > 50) misses.push(`search p99 ${s.p99.toFixed(2)} ms > 50 ms`);
if (l.p99 > 2) misses.push(`lookup p99 ${l.p99.toFixed(2)} ms > 2 ms`);
console.log(misses.length ? `FAIL: ${misses.join('; ')}` : 'PASS: search p50 <= 10 ms, p99 <= 50 ms; lookup p99 <= 2 ms');
process.exit(misses.length ? 1 : 0);
