// Translation: t(key, {vars}) in the current language, with {name}
// placeholders. The three dictionaries are in messages.ts.
import { en, zhHant, zhHans, type Dict, type Key } from './messages';
import type { Locale } from './format';

export const LOCALES: { id: Locale; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-Hant', label: '繁體中文' },
  { id: 'zh-Hans', label: '简体中文' },
];

export const DICTS: Record<Locale, Dict> = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans };

/** Pick the UI language from a BCP 47 tag (browser or saved choice). */
export function pickLocale(tag: string | null | undefined): Locale {
  const t = (tag || '').toLowerCase();
  if (t === 'zh-hant' || /^zh-(tw|hk|mo)\b/.test(t) || t.startsWith('zh-hant')) return 'zh-Hant';
  if (t.startsWith('zh')) return 'zh-Hans';
  return 'en';
}

export function translate(locale: Locale, key: string, vars?: Record<string, string | number>): string {
  const d = DICTS[locale] as Record<string, string>;
  let s = d[key] ?? (en as Record<string, string>)[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

/** A label for a field: the translation if there is one, else the label the
 *  server gave (custom fields), else the name. */
export function fieldLabel(locale: Locale, name: string, serverLabel?: string): string {
  const k = 'f.' + name;
  if (k in en) return translate(locale, k);
  return serverLabel || name;
}

/** A translated enum value (channels, kinds, relationship types …). */
export function valueLabel(locale: Locale, field: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  const v = String(value);
  const keys = field === 'channel' || field === 'preferred_channel' ? ['ch.' + v]
    : field === 'kind_identifier' ? ['idk.' + v]
    : field === 'direction' ? ['dir.' + v] : ['v.' + v];
  for (const k of keys) if (k in en) return translate(locale, k);
  return v;
}

export type { Key };
