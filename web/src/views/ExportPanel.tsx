// The export screen of a list: CSV (UTF-8 with or without BOM, GB18030,
// Big5), XLSX or vCard, of all that the list shows (its filters and search,
// so a saved view too) or of the rows selected, with the columns shown or
// every field; downloaded through GET /api/v1/{entity}/export with a busy
// state, then the bytes received, then the file saved.
import { useRef, useState } from 'preact/hooks';
import { ApiError, fetchFile, qs } from '../api';
import { t, useStore } from '../state';
import { formatNumber } from '../format';
import { ErrorBox, Notice } from '../ui';
import {
  exportFileName, exportParams, selectedCount, type ExportChoice, type ExportEncoding, type ExportFormat,
  type ListState, type Selection,
} from '../listState';

interface Props {
  entity: string;
  state: ListState;
  selection: Selection;
  masked: boolean; // the rows shown hold masked personal data
  onClose: () => void;
}

const FORMATS: ExportFormat[] = ['csv', 'xlsx', 'vcard'];
const ENCODINGS: [ExportEncoding, string][] = [
  ['utf-8', 'exp.utf8'], ['utf-8-nobom', 'exp.utf8_nobom'], ['gb18030', 'exp.gb18030'], ['big5', 'exp.big5'],
];

function size(bytes: number, locale: any): string {
  return bytes < 1024 * 1024 ? `${formatNumber(Math.ceil(bytes / 1024), locale)} kB`
    : `${formatNumber(Math.round(bytes / 104857.6) / 10, locale)} MB`;
}

/** Hand a Blob to the browser as a file download. */
function save(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function ExportPanel({ entity, state, selection, masked, onClose }: Props) {
  const s = useStore();
  const picked = selectedCount(selection);
  const [choice, setChoice] = useState<ExportChoice>({
    format: 'csv', encoding: 'utf-8', columns: 'shown', scope: picked > 0 && !selection.all ? 'selection' : 'list',
  });
  const [phase, setPhase] = useState<'idle' | 'preparing' | 'receiving'>('idle');
  const [received, setReceived] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const ctl = useRef<AbortController | null>(null);
  const set = (c: Partial<ExportChoice>) => { setChoice({ ...choice, ...c }); setDone(null); };

  async function download(e: Event) {
    e.preventDefault();
    setError(null); setProblem(null); setDone(null); setReceived(0); setPhase('preparing');
    ctl.current = new AbortController();
    const name = exportFileName(entity, choice.format, new Date());
    try {
      const blob = await fetchFile(`/api/v1/${entity}/export` + qs(exportParams(choice, selection, state, s.locale)),
        (n) => { setPhase('receiving'); setReceived(n); }, ctl.current.signal);
      save(blob, name);
      setDone(t('exp.done', { file: name }));
    } catch (err: any) {
      // a character the encoding lacks (Big5 has no ü, GB18030 all of Unicode)
      if (err instanceof ApiError && err.status === 422) setProblem(t('exp.encoding_lacks', { detail: err.message }));
      else if (err?.name !== 'AbortError') setError(err);
    } finally {
      setPhase('idle');
    }
  }

  function close() {
    ctl.current?.abort();
    onClose();
  }

  const busy = phase !== 'idle';
  return (
    <section class="card export" aria-labelledby="exp-title" aria-busy={busy}>
      <h2 id="exp-title">{t('exp.title')}</h2>
      <form class="export-form" onSubmit={download}>
        <fieldset>
          <legend>{t('exp.format')}</legend>
          {FORMATS.map((f) => (
            <label class="check"><input type="radio" name="exp-format" value={f} checked={choice.format === f}
              onChange={() => set({ format: f })} /> {t('exp.' + f)}</label>
          ))}
        </fieldset>
        {choice.format === 'csv' && (
          <span class="lbl"><label for="exp-encoding">{t('exp.encoding')}</label>
            <select id="exp-encoding" name="exp-encoding" value={choice.encoding} onChange={(e) => set({ encoding: (e.target as HTMLSelectElement).value as ExportEncoding })}>
              {ENCODINGS.map(([v, k]) => <option value={v}>{t(k)}</option>)}
            </select></span>
        )}
        <fieldset>
          <legend>{t('exp.scope')}</legend>
          <label class="check"><input type="radio" name="exp-scope" value="list" checked={choice.scope === 'list'}
            onChange={() => set({ scope: 'list' })} /> {t('exp.scope_list')}</label>
          {picked > 0 && !selection.all && (
            <label class="check"><input type="radio" name="exp-scope" value="selection" checked={choice.scope === 'selection'}
              onChange={() => set({ scope: 'selection' })} /> {t('exp.scope_selection', { count: formatNumber(picked, s.locale) })}</label>
          )}
        </fieldset>
        {choice.format !== 'vcard' ? (
          <fieldset>
            <legend>{t('exp.columns')}</legend>
            {(['shown', 'all'] as const).map((c) => (
              <label class="check"><input type="radio" name="exp-columns" value={c} checked={choice.columns === c}
                onChange={() => set({ columns: c })} /> {t('exp.columns_' + c)}</label>
            ))}
          </fieldset>
        ) : <p class="hint">{t('exp.vcard_note')}</p>}
        {masked && <p class="hint">{t('exp.masked')}</p>}
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>{t('exp.download')}</button>
          <button type="button" onClick={close}>{t('exp.close')}</button>
        </div>
      </form>
      {busy && (
        <p class="loading" role="status">
          {phase === 'preparing' ? t('exp.preparing') : t('exp.received', { size: size(received, s.locale) })}
        </p>
      )}
      {problem && <p class="alert error" role="alert">{problem}</p>}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <Notice text={done} />
    </section>
  );
}
