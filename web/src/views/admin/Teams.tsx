// Teams (admins): the tree of teams with their members, add one (under a
// parent or at the top), rename, move under another team, delete an empty
// one. The server refuses a loop and a team that still holds users, teams
// or customers (409 naming them); the screen says what to do.
import { useEffect, useState } from 'preact/hooks';
import { call, patch, post } from '../../api';
import { t } from '../../state';
import { teamAndBelow, teamTree, type Team } from '../../admin';
import { ErrorBox, Notice, Spinner } from '../../ui';
import { loadTeams, loadUsers, type UserRow } from './common';

const TEAM_ADVICE = { 409: 'teams.err_409', 422: 'teams.err_422' };

function ParentOptions({ teams, except }: { teams: Team[]; except?: Set<number> }) {
  return (
    <>
      <option value="">{t('teams.top')}</option>
      {teamTree(teams).filter(({ team }) => !except?.has(team.id))
        .map(({ team, depth }) => <option value={String(team.id)}>{'\u00a0\u00a0'.repeat(depth) + team.name}</option>)}
    </>
  );
}

function Rename({ team, onDone, onCancel }: { team: Team; onDone: (name: string) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(team.name);
  return (
    <form class="inline" onSubmit={(e) => { e.preventDefault(); onDone(name.trim()); }}>
      <label class="sr-only" for={`rename-${team.id}`}>{t('teams.new_name', { name: team.name })}</label>
      <input id={`rename-${team.id}`} name="rename" value={name} required maxLength={100} autofocus
        onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      <button type="submit" class="primary">{t('c.save')}</button>
      <button type="button" onClick={onCancel}>{t('c.cancel')}</button>
    </form>
  );
}

export function Teams() {
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [users, setUsers] = useState<UserRow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [parent, setParent] = useState('');
  const load = () => Promise.all([loadTeams(), loadUsers()]).then(([tm, u]) => { setTeams(tm); setUsers(u); }, setError);
  useEffect(() => { load(); }, []);

  // the change, then the list as it now is, then what was done
  async function act(fn: () => Promise<unknown>, done: string) {
    setNotice(null);
    try {
      await fn();
      setError(null);
      await load();
      setNotice(done);
    } catch (err) { setError(err); await load(); }
  }
  async function add(e: Event) {
    e.preventDefault();
    const n = name.trim();
    await act(() => post('/api/v1/teams', { name: n, parent_id: parent ? Number(parent) : null }), t('teams.added', { name: n }));
    setName('');
  }
  function remove(x: Team) {
    if (!confirm(t('teams.confirm_delete', { name: x.name }))) return;
    act(() => call('DELETE', `/api/v1/teams/${x.id}`), t('teams.deleted', { name: x.name }));
  }

  const members = (id: number) => users.filter((u) => u.team_id === id);
  return (
    <section>
      <h1>{t('admin.teams')}</h1>
      <form class="card form inline-form" onSubmit={add} aria-labelledby="nt-title">
        <h2 id="nt-title" class="full">{t('teams.new')}</h2>
        <label>{t('teams.name')}<input name="team_name" value={name} required maxLength={100}
          onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <span class="lbl"><label for="team-parent">{t('teams.parent')}</label>
          <select id="team-parent" name="team_parent" value={parent} onChange={(e) => setParent((e.target as HTMLSelectElement).value)}>
            <ParentOptions teams={teams || []} />
          </select></span>
        <button type="submit" class="primary">{t('teams.add')}</button>
      </form>
      <ErrorBox error={error} advice={TEAM_ADVICE} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {teams === null ? !error && <Spinner /> : teams.length === 0 ? <p class="empty">{t('teams.none')}</p> : (
        <div class="table-wrap"><table class="grid">
          <thead><tr><th scope="col">{t('teams.name')}</th><th scope="col">{t('teams.parent')}</th>
            <th scope="col">{t('teams.members')}</th><th scope="col">{t('users.actions')}</th></tr></thead>
          <tbody>{teamTree(teams).map(({ team: x, depth }) => {
            const m = members(x.id);
            return (
              <tr data-team={x.name}>
                <th scope="row" class={`depth-${Math.min(depth, 4)}`}>
                  {renaming === x.id
                    ? <Rename team={x} onCancel={() => setRenaming(null)} onDone={async (n) => {
                      setRenaming(null);
                      await act(() => patch(`/api/v1/teams/${x.id}`, { name: n }), t('teams.renamed', { name: n }));
                    }} />
                    : x.name}
                </th>
                <td><select name={`parent-${x.id}`} aria-label={t('teams.parent_of', { name: x.name })}
                  value={x.parent_id === null ? '' : String(x.parent_id)}
                  onChange={(e) => { const v = (e.target as HTMLSelectElement).value; act(() => patch(`/api/v1/teams/${x.id}`, { parent_id: v ? Number(v) : null }), t('teams.moved', { name: x.name })); }}>
                  <ParentOptions teams={teams} except={teamAndBelow(teams, x.id)} />
                </select></td>
                <td>{m.length ? m.map((u) => u.name).join(', ') : <span class="muted">{t('teams.no_members')}</span>}</td>
                <td class="actions">
                  <button type="button" onClick={() => setRenaming(x.id)}>{t('teams.rename')}</button>
                  <button type="button" onClick={() => remove(x)}>{t('teams.delete')}</button>
                </td>
              </tr>
            );
          })}</tbody>
        </table></div>
      )}
    </section>
  );
}
