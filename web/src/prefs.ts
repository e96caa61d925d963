// Preferences kept on the server (GET/PATCH /api/v1/auth/me/preferences), so
// they follow the user to another browser: language, time zone, theme and
// the columns of each list. localStorage is only a cache for the first paint.
// Pure helpers here (Vitest tests them); state.ts does the fetching.
import type { Locale } from './format';

export type Theme = 'light' | 'dark' | 'system';

export interface ServerPrefs {
  locale: Locale | null;
  time_zone: string | null;
  theme: Theme | null;
  columns: Record<string, string[]>;
}

export interface LocalPrefs { locale: Locale; theme: Theme; tz: string; columns: Record<string, string[]> }

/** What the UI shows after sign-in: each value the user saved on the
 *  server, else what this browser had (the server's null = not chosen). */
export function mergeServerPrefs(server: ServerPrefs | null, local: LocalPrefs, knownZone: (tz: string) => boolean): LocalPrefs {
  if (!server) return local;
  return {
    locale: server.locale || local.locale,
    theme: server.theme || local.theme,
    tz: server.time_zone && knownZone(server.time_zone) ? server.time_zone : local.tz,
    columns: { ...local.columns, ...(server.columns || {}) },
  };
}

/** The PATCH body for a change of the UI state, or null if nothing in it
 *  is a preference. */
export function prefsPatch(change: { locale?: Locale; theme?: Theme; tz?: string; columns?: Record<string, string[]> }): Partial<ServerPrefs> | null {
  const body: Partial<ServerPrefs> = {};
  if (change.locale) body.locale = change.locale;
  if (change.theme) body.theme = change.theme;
  if (change.tz) body.time_zone = change.tz;
  if (change.columns) body.columns = change.columns;
  return Object.keys(body).length ? body : null;
}

/** The columns to show: the saved choice without fields that are gone
 *  (a custom field removed since), else the defaults. */
export function visibleColumns(saved: string[] | undefined, known: Set<string> | null, defaults: string[]): string[] {
  if (!saved || saved.length === 0) return defaults;
  const cols = known ? saved.filter((c) => known.has(c)) : saved;
  return cols.length ? cols : defaults;
}
