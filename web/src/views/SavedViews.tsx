// Saved views of a list (/api/v1/views, each user's own): pick one from the
// menu (it sets the filters, search, sort and columns), save the list as a
// new view, save changes into the view picked, rename it, delete it, and
// choose the view the list opens with.
import { useState } from 'preact/hooks';
import { ApiError, call, patch, post } from '../api';
import { t } from '../state';
import { ErrorBox, Notice } from '../ui';
import { matchesView, viewBody, type ListState, type SavedView } from '../listState';

interface Props {
  entity: string;
  views: SavedView[];
  current: SavedView | null;
  state: ListState;
  defaults: ListState;
  onViews: (views: SavedView[]) => void;
  onPick: (v: SavedView | null) => void;
}

/** The list after one view changed: kept in name order, one default. */
function withView(views: SavedView[], v: SavedView): SavedView[] {
  const others = views.filter((x) => x.id !== v.id).map((x) => (v.is_default && x.is_default ? { ...x, is_default: false } : x));
  return [...others, v].sort((a, b) => a.name.localeCompare(b.name));
}

export function SavedViews({ entity, views, current, state, defaults, onViews, onPick }: Props) {
  const [mode, setMode] = useState<'idle' | 'save' | 'rename' | 'delete'>('idle');
  const [name, setName] = useState('');
  const [asDefault, setAsDefault] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = current && !matchesView(state, current, defaults);

  async function run(fn: () => Promise<string>) {
    setBusy(true); setError(null); setProblem(null); setDone(null);
    try {
      setDone(await fn());
      setMode('idle');
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setProblem(t('views.name_taken'));
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  function open(m: 'save' | 'rename' | 'delete') {
    setMode(m); setProblem(null); setDone(null); setError(null);
    setName(m === 'rename' && current ? current.name : '');
    setAsDefault(false);
  }

  function submitName(e: Event) {
    e.preventDefault();
    const n = name.trim();
    if (!n || [...n].length > 100) { setProblem(t('views.name_needed')); return; }
    if (mode === 'save') {
      run(async () => {
        const v = await post<SavedView>('/api/v1/views', { name: n, entity, ...viewBody(state), is_default: asDefault });
        onViews(withView(views, v));
        onPick(v);
        return t('views.saved', { name: v.name });
      });
    } else if (current) {
      run(async () => {
        const v = await patch<SavedView>(`/api/v1/views/${current.id}`, { name: n });
        onViews(withView(views, v));
        onPick(v);
        return t('views.renamed', { name: v.name });
      });
    }
  }

  const saveChanges = () => current && run(async () => {
    const v = await patch<SavedView>(`/api/v1/views/${current.id}`, viewBody(state));
    onViews(withView(views, v));
    onPick(v);
    return t('views.saved', { name: v.name });
  });

  const toggleDefault = () => current && run(async () => {
    const v = await patch<SavedView>(`/api/v1/views/${current.id}`, { is_default: !current.is_default });
    onViews(withView(views, v));
    return v.is_default ? t('views.is_default', { name: v.name }) : t('views.no_default');
  });

  const remove = () => current && run(async () => {
    await call('DELETE', `/api/v1/views/${current.id}`);
    onViews(views.filter((x) => x.id !== current.id));
    onPick(null);
    return t('views.deleted', { name: current.name });
  });

  return (
    <div class="views card">
      <div class="actions">
        <label for="view-select">{t('views.label')}</label>
        <select id="view-select" name="view" value={current ? String(current.id) : ''} disabled={busy}
          onChange={(e) => { const id = Number((e.target as HTMLSelectElement).value); onPick(views.find((v) => v.id === id) || null); setMode('idle'); setDone(null); }}>
          <option value="">{t('views.none')}</option>
          {views.map((v) => <option value={String(v.id)}>{v.is_default ? t('views.default_mark', { name: v.name }) : v.name}</option>)}
        </select>
        <button type="button" onClick={() => open('save')} aria-expanded={mode === 'save'}>{t('views.save_as')}</button>
        {current && (
          <>
            {changed && <button type="button" class="primary" disabled={busy} onClick={saveChanges}>{t('views.update')}</button>}
            <button type="button" onClick={() => open('rename')} aria-expanded={mode === 'rename'}>{t('views.rename')}</button>
            <button type="button" aria-pressed={current.is_default} disabled={busy} onClick={toggleDefault}>{t('views.make_default')}</button>
            <button type="button" onClick={() => open('delete')} aria-expanded={mode === 'delete'}>{t('views.delete')}</button>
          </>
        )}
      </div>
      {changed && <p class="hint">{t('views.changed', { name: current!.name })}</p>}
      {(mode === 'save' || mode === 'rename') && (
        <form class="inline-form form" onSubmit={submitName}>
          <span class="lbl"><label for="view-name">{t('views.name')}</label>
            <input id="view-name" name="view-name" value={name} maxLength={100} autoFocus
              onInput={(e) => setName((e.target as HTMLInputElement).value)} /></span>
          {mode === 'save' && (
            <label class="check"><input type="checkbox" name="view-default" checked={asDefault}
              onChange={(e) => setAsDefault((e.target as HTMLInputElement).checked)} /> {t('views.default_check')}</label>
          )}
          <button type="submit" class="primary" disabled={busy}>{t('views.save')}</button>
          <button type="button" onClick={() => setMode('idle')}>{t('views.cancel')}</button>
        </form>
      )}
      {mode === 'delete' && current && (
        <div class="confirm" role="group" aria-label={t('views.delete')}>
          <p>{t('views.confirm_delete', { name: current.name })}</p>
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={remove}>{t('views.confirm')}</button>
            <button type="button" onClick={() => setMode('idle')}>{t('views.cancel')}</button>
          </div>
        </div>
      )}
      {problem && <p class="alert error" role="alert">{problem}</p>}
      <ErrorBox error={error} onDismiss={() => setError(null)} />
      <Notice text={done} />
    </div>
  );
}
