// The app's small global state (session, language, theme, time zone, the
// role table) with subscribe/useStore; preferences persist in localStorage.
import { useEffect, useState } from 'preact/hooks';
import { pickLocale, translate } from './i18n';
import { safeTimeZone, type Locale } from './format';

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
  if (patch.user) state.tz = safeTimeZone(ls('gx.tz.' + patch.user.id) || browserTz);
  applyTheme();
  listeners.forEach((l) => l());
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

export function userPref(key: string): string | null {
  return state.user ? ls(`gx.${key}.${state.user.id}`) : null;
}
export function setUserPref(key: string, value: string) {
  if (state.user) lsSet(`gx.${key}.${state.user.id}`, value);
}
