// The global search box in the header: Ctrl-K / ⌘-K focuses it; results
// across entities as you type (/api/v1/search), an identifier match from
// /api/v1/lookup when the text looks like one; arrows move, Enter opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, qs } from '../api';
import { t, getState } from '../state';
import { highlight, looksLikeIdentifier } from '../format';
import { fieldLabel } from '../i18n';
import { ErrorBox, go } from '../ui';

interface Hit { entity: string; id: number; matched_field?: string; record: any; lookup?: boolean }

function title(h: Hit): string {
  const r = h.record || {};
  return r.local_name && r.name && r.local_name !== r.name ? `${r.local_name} · ${r.name}`
    : r.name || r.local_name || r.subject || r.value || `#${h.id}`;
}

function target(h: Hit): string | null {
  if (h.entity === 'customers') return `#/customers/${h.id}`;
  if (h.record && h.record.customer_id) return `#/customers/${h.record.customer_id}`;
  return null;
}

export function Search() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<Hit[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const input = useRef<HTMLInputElement>(null);
  const seq = useRef(0);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        input.current?.focus();
        input.current?.select();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const text = q.trim();
    if (!text) { setHits([]); setBusy(false); return; }
    const my = ++seq.current;
    const ctl = new AbortController();
    setBusy(true);
    const timer = setTimeout(async () => {
      try {
        const tasks: Promise<Hit[]>[] = [
          get<{ data: Hit[] }>('/api/v1/search' + qs({ q: text.slice(0, 200), limit: 10 }), { signal: ctl.signal }).then((r) => r.data),
        ];
        if (looksLikeIdentifier(text)) {
          tasks.push(get<any>('/api/v1/lookup' + qs({ identifier: text }), { signal: ctl.signal })
            .then((r) => [{ entity: 'customers', id: r.customer.id, record: r.customer, matched_field: r.identifier?.kind, lookup: true }])
            .catch((e) => { if (e instanceof ApiError && e.status === 404) return []; throw e; }));
        }
        const [found, looked = []] = await Promise.all(tasks);
        if (my !== seq.current) return;
        const seen = new Set(looked.map((h) => `${h.entity}/${h.id}`));
        setHits([...looked, ...found.filter((h) => !seen.has(`${h.entity}/${h.id}`))]);
        setActive(0);
        setError(null);
      } catch (e: any) {
        if (e?.name === 'AbortError' || my !== seq.current) return;
        setError(e);
        setHits([]);
      } finally {
        if (my === seq.current) setBusy(false);
      }
    }, 180);
    return () => { clearTimeout(timer); ctl.abort(); };
  }, [q]);

  function openHit(h: Hit | undefined) {
    if (!h) return;
    const to = target(h);
    if (to) {
      setOpen(false);
      input.current?.blur();
      go(to);
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'ArrowDown') { e.preventDefault(); setOpen(true); setActive((a) => Math.min(a + 1, hits.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    else if (e.key === 'Enter') { e.preventDefault(); openHit(hits[active]); }
    else if (e.key === 'Escape') { setOpen(false); }
  }

  const { locale } = getState();
  const show = open && q.trim() !== '';
  return (
    <div class="search" role="search">
      <label for="gsearch" class="sr-only">{t('search.label')}</label>
      <input id="gsearch" type="search" role="combobox" autocomplete="off" spellcheck={false}
        aria-expanded={show} aria-controls="gsearch-list" aria-autocomplete="list"
        aria-activedescendant={show && hits[active] ? `gs-${active}` : undefined}
        placeholder={t('search.placeholder')} value={q} ref={input}
        onInput={(e) => { setQ((e.target as HTMLInputElement).value); setOpen(true); }}
        onFocus={() => setOpen(true)} onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown} />
      {show && (
        <div class="search-pop">
          <p class="sr-only" role="status">{busy ? t('search.searching') : t('search.results', { count: hits.length })}</p>
          <ErrorBox error={error} />
          {!busy && !error && hits.length === 0 && <p class="empty">{t('search.none', { q: q.trim() })}</p>}
          <ul id="gsearch-list" role="listbox" aria-label={t('search.label')}>
            {hits.map((h, i) => {
              const mf = h.matched_field || '';
              const mv = h.record && mf && typeof h.record[mf] === 'string' ? h.record[mf] : '';
              return (
                <li id={`gs-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''}
                  onMouseDown={(e) => { e.preventDefault(); openHit(h); }} onMouseEnter={() => setActive(i)}>
                  <span class="badge">{h.lookup ? t('search.lookup') : t('entity.' + h.entity)}</span>
                  <span class="title">{highlight(title(h), q).map((s) => s.hit ? <mark>{s.text}</mark> : s.text)}</span>
                  {mf && (
                    <span class="matched">
                      {t('search.matched', { field: h.lookup ? t('idk.' + mf) : fieldLabel(locale, mf) })}
                      {mv && <>: {highlight(mv, q).map((s) => s.hit ? <mark>{s.text}</mark> : s.text)}</>}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
