// The app's small global state (session, language, theme, time zone, the
// role table) with subscribe/useStore. Preferences are kept on the server
// (prefs.ts) and cached in localStorage for the first paint.
import { useEffect, useState } from 'preact/hooks';
import { pickLocale, translate } from './i18n';
import { safeTimeZone, type Locale } from './format';
import { get, patch as patchApi } from './api';
import { mergeServerPrefs, prefsPatch, type ServerPrefs } from './prefs';

export interface User { id: number; name: string; role: string }
export type Scope = 'none' | 'own' | 'team' | 'all';
export type RoleTable = Record<string, Record<string, Scope>>; // entity -> action -> scope

export interface State {
  user: User | null;
  csrf: string;
  perms: RoleTable;
  locale: Locale;
  theme: 'light' | 'dark' | 'system';
  tz: string;
  columns: Record<string, string[]>; // per list, from the server's preferences
  prefsError: unknown; // the last preference the server did not keep
  booting: boolean;
}

const ls = (k: string): string | null => {
  try { return localStorage.getItem(k); } catch { return null; }
};
const lsSet = (k: string, v: string) => {
  try { localStorage.setItem(k, v); } catch { /* private mode: not kept */ }
};

const browserTz = (() => {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
})();

let state: State = {
  user: null,
  csrf: '',
  perms: {},
  locale: pickLocale(ls('gx.lang') || (typeof navigator !== 'undefined' ? navigator.language : 'en')),
  theme: (ls('gx.theme') as State['theme']) || 'system',
  tz: browserTz,
  columns: {},
  prefsError: null,
  booting: true,
};
const listeners = new Set<() => void>();

export function getState(): State { return state; }

export function setState(patch: Partial<State>) {
  state = { ...state, ...patch };
  if (patch.locale) {
    lsSet('gx.lang', patch.locale);
    document.documentElement.lang = patch.locale;
  }
  if (patch.theme) lsSet('gx.theme', patch.theme);
  if (patch.tz && state.user) lsSet('gx.tz.' + state.user.id, patch.tz);
  if (patch.user && !patch.tz) state.tz = safeTimeZone(ls('gx.tz.' + patch.user.id) || browserTz);
  applyTheme();
  listeners.forEach((l) => l());
  if (state.user && !fromServer) savePrefs(prefsPatch(patch));
}

// ---- preferences on the server ----

let fromServer = false;
let saving: Promise<unknown> = Promise.resolve();

/** Send a change to the server, one after another so the last one wins. */
function savePrefs(body: Partial<ServerPrefs> | null) {
  if (!body) return;
  saving = saving.then(() => patchApi('/api/v1/auth/me/preferences', body))
    .then(() => { if (state.prefsError) setState({ prefsError: null }); })
    .catch((e) => setState({ prefsError: e }));
}

/** The user's preferences from the server (null if they cannot be read). */
export async function fetchPreferences(): Promise<ServerPrefs | null> {
  try { return await get<ServerPrefs>('/api/v1/auth/me/preferences'); } catch { return null; }
}

/** Start a session with its preferences: what the server keeps wins over
 *  this browser's cache, and is not sent back. */
export function startSession(patch: Partial<State>, prefs: ServerPrefs | null) {
  const user = patch.user!;
  const cached = safeTimeZone(ls('gx.tz.' + user.id) || browserTz);
  let columns: Record<string, string[]> = {};
  try { columns = JSON.parse(ls('gx.columns.' + user.id) || '{}'); } catch { /* none cached */ }
  const merged = mergeServerPrefs(prefs, { locale: state.locale, theme: state.theme, tz: cached, columns },
    (z) => safeTimeZone(z) === z);
  fromServer = true;
  try {
    setState({ ...patch, ...merged, prefsError: null });
  } finally {
    fromServer = false;
  }
}

/** The columns chosen for a list (undefined: none chosen). */
export function listColumns(list: string): string[] | undefined {
  return state.columns[list];
}

export function setListColumns(list: string, cols: string[]) {
  const columns = { ...state.columns, [list]: cols };
  if (state.user) lsSet('gx.columns.' + state.user.id, JSON.stringify(columns));
  state = { ...state, columns };
  listeners.forEach((l) => l());
  if (state.user) savePrefs(prefsPatch({ columns: { [list]: cols } }));
}

export function applyTheme() {
  const dark = state.theme === 'dark' ||
    (state.theme === 'system' && typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function useStore(): State {
  const [, force] = useState(0);
  const seen = state;
  useEffect(() => {
    const l = () => force((n) => n + 1);
    listeners.add(l);
    // a change between this render and the subscription (e.g. the session
    // check answering before the first effect ran) would be lost: catch up
    if (state !== seen) l();
    return () => { listeners.delete(l); };
  }, []);
  return state;
}

/** t() in the current language. */
export function t(key: string, vars?: Record<string, string | number>): string {
  return translate(state.locale, key, vars);
}

/** The caller's scope for an action on an entity (none when unknown). */
export function can(entity: string, action: string): boolean {
  const s = state.perms[entity]?.[action];
  return !!s && s !== 'none';
}
