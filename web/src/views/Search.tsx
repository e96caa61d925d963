// The global search box in the header: Ctrl-K / ⌘-K focuses it; results
// across entities as you type (/api/v1/search), an identifier match from
// /api/v1/lookup when the text looks like one; arrows move, Enter opens.
// The matched part is marked where the server says it is (its highlight
// ranges, found across scripts and widths: 客户 marks 客戶).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, get, qs } from '../api';
import { t, getState } from '../state';
import { highlight, looksLikeIdentifier, type Segment } from '../format';
import { coversWhole, markSegments, type Highlight } from '../marks';
import { fieldLabel } from '../i18n';
import { ErrorBox, go } from '../ui';

interface Hit { entity: string; id: number; matched_field?: string; record: any; lookup?: boolean; highlight?: Highlight }

/** The title of a hit as parts, each from a field (or none). */
function titleParts(h: Hit): { field: string | null; text: string }[] {
  const r = h.record || {};
  if (r.local_name && r.name && r.local_name !== r.name) {
    return [{ field: 'local_name', text: r.local_name }, { field: null, text: ' · ' }, { field: 'name', text: r.name }];
  }
  for (const f of ['name', 'local_name', 'subject', 'value']) if (r[f]) return [{ field: f, text: String(r[f]) }];
  return [{ field: null, text: `#${h.id}` }];
}

const render = (segs: Segment[]) => segs.map((s) => (s.hit ? <mark>{s.text}</mark> : s.text));

/** A part of the title, marked by the server's highlight when it is that
 *  field, else (an identifier lookup) where the query occurs literally. */
function part(h: Hit, p: { field: string | null; text: string }, q: string) {
  if (p.field === null) return p.text;
  if (h.highlight) return coversWhole(h.highlight, p.field, p.text) ? render(markSegments(h.highlight)) : p.text;
  return render(highlight(p.text, q));
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
        // an identifier match stands for the same record's search hit: it
        // takes that hit's marks (where in the number the query is)
        const same = (l: Hit) => found.find((h) => h.entity === l.entity && h.id === l.id);
        setHits([...looked.map((l) => ({ ...l, highlight: same(l)?.highlight })),
          ...found.filter((h) => !seen.has(`${h.entity}/${h.id}`))]);
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
              const parts = titleParts(h);
              const hl = h.highlight;
              // the matched text, unless the title shows it already
              const inTitle = hl && parts.some((p) => p.field === hl.field && coversWhole(hl, p.field, p.text));
              const mv = hl ? (inTitle ? null : render(markSegments(hl)))
                : h.record && mf && typeof h.record[mf] === 'string' ? render(highlight(h.record[mf], q)) : null;
              return (
                <li id={`gs-${i}`} role="option" aria-selected={i === active} class={i === active ? 'active' : ''}
                  onMouseDown={(e) => { e.preventDefault(); openHit(h); }} onMouseEnter={() => setActive(i)}>
                  <span class="badge">{h.lookup ? t('search.lookup') : t('entity.' + h.entity)}</span>
                  <span class="title">{parts.map((p) => part(h, p, q))}</span>
                  {mf && (
                    <span class="matched">
                      {t('search.matched', { field: h.lookup ? t('idk.' + mf) : fieldLabel(locale, mf) })}
                      {mv && <>: {mv}</>}
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
