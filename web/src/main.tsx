// The Guanxi web UI: sign-in, the shell (navigation by role, language,
// theme, time zone, global search) and hash routes to the screens.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post, setCsrf, setUnauthorizedHandler } from './api';
import { applyTheme, getState, setState, t, useStore, can, fetchPreferences, startSession, type RoleTable, type User } from './state';
import { LOCALES } from './i18n';
import { timeZones, type Locale } from './format';
import { ErrorBox, Notice, Spinner, go, useHash } from './ui';
import { Search } from './views/Search';
import { CustomerList } from './views/CustomerList';
import { Customer360 } from './views/Customer360';
import { Admin } from './views/Admin';
import { Import } from './views/Import';
import './style.css';

async function loadSession(user: User, csrf: string) {
  setCsrf(csrf);
  // the role table and the user's preferences (which follow them from
  // browser to browser) side by side: neither needs the other
  const [perms, prefs] = await Promise.all([
    get<{ data: { role: string; entities: RoleTable }[] }>('/api/v1/roles')
      .then((roles) => roles.data.find((r) => r.role === user.role)?.entities || {},
        (): RoleTable => ({})), // no table: the navigation shows nothing optional
    fetchPreferences(),
  ]);
  startSession({ user, csrf, perms, booting: false }, prefs);
}

async function boot() {
  setUnauthorizedHandler(() => setState({ user: null, csrf: '' }));
  try {
    const me = await get<{ user: User; csrf_token: string }>('/api/v1/auth/me', { quiet401: true });
    await loadSession(me.user, me.csrf_token);
  } catch {
    setState({ booting: false });
  }
}

function Login() {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [otp, setOtp] = useState('');
  const [needOtp, setNeedOtp] = useState(false);
  const [msg, setMsg] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setMsg(null); setError(null);
    if (!name || !password) { setMsg(t('login.required')); return; }
    setBusy(true);
    try {
      const body: Record<string, string> = { name, password };
      if (needOtp) body.otp = otp.trim();
      const r = await post<{ user: User; csrf_token: string }>('/api/v1/auth/login', body, { quiet401: true });
      await loadSession(r.user, r.csrf_token);
      if (!location.hash || location.hash === '#/login') go('#/customers');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && err.fields && 'otp' in err.fields) {
        if (needOtp) setMsg(t('login.otp_failed'));
        setNeedOtp(true);
      } else if (err instanceof ApiError && err.status === 401 && err.fields && 'name' in err.fields) {
        setMsg(t('login.disabled')); // the right password, a disabled account
      } else if (err instanceof ApiError && err.status === 401) {
        setMsg(t('login.failed'));
      } else if (err instanceof ApiError && err.status === 429) {
        const s = err.retryAfter || 900;
        setMsg(t('login.locked', { minutes: Math.max(1, Math.ceil(s / 60)) }));
      } else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="login">
      <form onSubmit={submit} class="card" aria-labelledby="login-title" novalidate>
        <h1 id="login-title">{t('login.title')}</h1>
        <LanguageSelect />
        {!needOtp ? (
          <>
            <label>{t('login.name')}
              <input name="name" autocomplete="username" value={name} autofocus
                onInput={(e) => setName((e.target as HTMLInputElement).value)} required /></label>
            <label>{t('login.password')}
              <input name="password" type="password" autocomplete="current-password" value={password}
                onInput={(e) => setPassword((e.target as HTMLInputElement).value)} required /></label>
          </>
        ) : (
          <>
            <p class="hint" id="otp-hint">{t('login.otp_hint')}</p>
            <label>{t('login.otp')}
              <input name="otp" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxLength={6}
                aria-describedby="otp-hint" value={otp} autofocus
                onInput={(e) => setOtp((e.target as HTMLInputElement).value)} required /></label>
          </>
        )}
        {msg && <p class="alert error" role="alert">{msg}</p>}
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{needOtp ? t('login.verify') : t('login.submit')}</button>
          {needOtp && <button type="button" onClick={() => { setNeedOtp(false); setOtp(''); setMsg(null); }}>{t('login.back')}</button>}
        </div>
      </form>
    </main>
  );
}

function LanguageSelect() {
  const s = useStore();
  return (
    <span class="inline"><label for="lang-select">{t('lang.label')}</label>
      <select id="lang-select" name="language" value={s.locale} onChange={(e) => setState({ locale: (e.target as HTMLSelectElement).value as Locale })}>
        {LOCALES.map((l) => <option value={l.id} lang={l.id}>{l.label}</option>)}
      </select>
    </span>
  );
}

function ThemeToggle() {
  const s = useStore();
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  return (
    <button type="button" class="quiet" aria-label={t('theme.label') + ': ' + t('theme.' + next)}
      title={t('theme.label')} onClick={() => setState({ theme: next })} data-theme-now={s.theme}>
      {next === 'dark' ? '☾' : '☀'}
    </button>
  );
}

async function logout() {
  try { await post('/api/v1/auth/logout'); } catch { /* ended anyway */ }
  setCsrf('');
  setState({ user: null, csrf: '', perms: {} });
  go('#/login');
}

interface NavItem { hash: string; key: string; show: () => boolean }
const NAV: NavItem[] = [
  { hash: '#/customers', key: 'nav.customers', show: () => can('customers', 'read') },
  { hash: '#/import', key: 'nav.import', show: () => can('customers', 'create') },
  // users, roles and the audit log are not in the role table (admins only):
  // the admin action on customers (custom fields) stands for them
  { hash: '#/admin/users', key: 'nav.users', show: () => can('customers', 'admin') },
  { hash: '#/admin/teams', key: 'nav.teams', show: () => can('customers', 'admin') },
  { hash: '#/admin/roles', key: 'nav.roles', show: () => can('customers', 'admin') },
  { hash: '#/admin/fields', key: 'nav.fields', show: () => can('customers', 'admin') },
  { hash: '#/admin/audit', key: 'nav.audit', show: () => can('customers', 'admin') },
  { hash: '#/preferences', key: 'nav.preferences', show: () => true },
];

function Shell({ hash }: { hash: string }) {
  const s = useStore();
  const user = s.user!;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>{t('app.skip')}</a>
      <header class="top">
        <a class="brand" href="#/customers">Guanxi <span lang="zh">关系</span></a>
        <Search />
        <div class="tools">
          <LanguageSelect />
          <ThemeToggle />
          <span class="who">{t('header.user_menu', { name: user.name, role: t('role.' + user.role) })}</span>
          <button type="button" onClick={logout}>{t('logout')}</button>
        </div>
      </header>
      <nav class="side" aria-label={t('nav.main')}>
        <ul>
          {NAV.filter((n) => n.show()).map((n) => (
            <li><a href={n.hash} aria-current={hash.startsWith(n.hash) ? 'page' : undefined}>{t(n.key)}</a></li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Route hash={hash} />
      </main>
    </>
  );
}

function Route({ hash }: { hash: string }) {
  const path = hash.replace(/^#/, '').split('?')[0];
  let m: RegExpExecArray | null;
  if (path === '/customers' || path === '/' || path === '/login' || path === '') return <CustomerList />;
  if ((m = /^\/customers\/(\d+)$/.exec(path))) return <Customer360 id={Number(m[1])} key={m[1]} />;
  if (path === '/preferences') return <Preferences />;
  if (path === '/import') return <Import />;
  if ((m = /^\/admin\/(users|teams|roles|fields|audit)$/.exec(path))) return <Admin section={m[1]} key={m[1]} />;
  return (
    <section>
      <h1>{t('notfound.title')}</h1>
      <p><a href="#/customers">{t('notfound.text')}</a></p>
    </section>
  );
}

function Preferences() {
  const s = useStore();
  const [saved, setSaved] = useState<string | null>(null);
  const zones = useMemo(timeZones, []); // the runtime's ~400 zones, not again on each render
  return (
    <section>
      <h1>{t('prefs.title')}</h1>
      <div class="card form">
        <LanguageSelect />
        <label for="theme-select">{t('theme.label')}</label>
          <select id="theme-select" name="theme" value={s.theme} onChange={(e) => { setState({ theme: (e.target as HTMLSelectElement).value as any }); setSaved(t('prefs.saved')); }}>
            {(['system', 'light', 'dark'] as const).map((v) => <option value={v}>{t('theme.' + v)}</option>)}
          </select>
        <label for="tz-select">{t('tz.label')}</label>
          <select id="tz-select" name="tz" value={s.tz} aria-describedby="tz-note" onChange={(e) => { setState({ tz: (e.target as HTMLSelectElement).value }); setSaved(t('prefs.saved')); }}>
            {zones.map((z) => <option value={z}>{z}</option>)}
          </select>
        <p class="hint" id="tz-note">{t('tz.note')}</p>
        <Notice text={saved} />
        <ErrorBox error={s.prefsError} onDismiss={() => setState({ prefsError: null })} />
      </div>
    </section>
  );
}

function App() {
  const s = useStore();
  const hash = useHash();
  useEffect(() => { document.title = `${t('app.name')} · Guanxi`; }, [s.locale]);
  if (s.booting) return <Spinner />;
  if (!s.user) return <Login />;
  return <Shell hash={hash} />;
}

document.documentElement.lang = getState().locale;
applyTheme();
if (typeof matchMedia === 'function') matchMedia('(prefers-color-scheme: dark)').addEventListener?.('change', applyTheme);
render(<App />, document.getElementById('app')!);
boot();
