// Users (admins): create one with a role and a team, change role or team in
// place, disable and enable, reset the password (a new one to hand over;
// the user's sessions end). The server keeps an admin from demoting or
// disabling themselves; the screen does not offer it either.
import { useEffect, useState } from 'preact/hooks';
import { patch, post } from '../../api';
import { t, useStore } from '../../state';
import { formatDateTime } from '../../format';
import { generatePassword, teamTree, type Team } from '../../admin';
import { ErrorBox, Notice, Spinner } from '../../ui';
import { loadTeams, loadUsers, ROLES, type UserRow } from './common';

const USER_ADVICE = { 409: 'users.err_409', 422: 'users.err_422' };

function TeamOptions({ teams }: { teams: Team[] }) {
  return (
    <>
      <option value="">{t('users.no_team')}</option>
      {teamTree(teams).map(({ team, depth }) => <option value={String(team.id)}>{'\u00a0\u00a0'.repeat(depth) + team.name}</option>)}
    </>
  );
}

function PasswordInput({ id, value, onInput }: { id: string; value: string; onInput: (v: string) => void }) {
  return (
    <span class="pw-row">
      <input id={id} name={id} type="text" autocomplete="new-password" spellcheck={false} value={value} minLength={8} required
        aria-describedby={`${id}-hint`} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      <button type="button" onClick={() => onInput(generatePassword())}>{t('users.generate')}</button>
      <span class="hint" id={`${id}-hint`}>{t('users.pw_hint')}</span>
    </span>
  );
}

function NewUser({ teams, onDone }: { teams: Team[]; onDone: (name: string) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('sales');
  const [team, setTeam] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      await post('/api/v1/users', { name: name.trim(), password, role, team_id: team ? Number(team) : null });
      setError(null); setName(''); setPassword('');
      onDone(name.trim());
    } catch (err) { setError(err); } finally { setBusy(false); }
  }
  return (
    <form class="card form inline-form" onSubmit={submit} aria-labelledby="nu-title">
      <h2 id="nu-title" class="full">{t('users.new')}</h2>
      <label>{t('login.name')}<input name="new_name" value={name} required maxLength={64} pattern="[^ ]+"
        onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
      <span class="lbl"><label for="new-password">{t('login.password')}</label>
        <PasswordInput id="new-password" value={password} onInput={setPassword} /></span>
      <span class="lbl"><label for="new-role">{t('users.role')}</label>
        <select id="new-role" name="new_role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>
          {ROLES.map((r) => <option value={r}>{t('role.' + r)}</option>)}
        </select></span>
      <span class="lbl"><label for="new-team">{t('f.team_id')}</label>
        <select id="new-team" name="new_team" value={team} onChange={(e) => setTeam((e.target as HTMLSelectElement).value)}>
          <TeamOptions teams={teams} />
        </select></span>
      <button type="submit" class="primary" disabled={busy}>{t('users.create')}</button>
      <div class="full"><ErrorBox error={error} advice={USER_ADVICE} onDismiss={() => setError(null)} /></div>
    </form>
  );
}

function ResetPassword({ user, onDone, onCancel }: { user: UserRow; onDone: () => void; onCancel: () => void }) {
  const [pw, setPw] = useState(() => generatePassword());
  const [error, setError] = useState<unknown>(null);
  async function save(e: Event) {
    e.preventDefault();
    try { await patch(`/api/v1/users/${user.id}`, { password: pw }); onDone(); } catch (err) { setError(err); }
  }
  const id = `reset-${user.id}`;
  return (
    <form class="reset" onSubmit={save}>
      <label for={id}>{t('users.new_password', { name: user.name })}</label>
      <PasswordInput id={id} value={pw} onInput={setPw} />
      <p class="hint">{t('users.reset_note')}</p>
      <div class="actions">
        <button type="submit" class="primary">{t('users.set_password')}</button>
        <button type="button" onClick={onCancel}>{t('c.cancel')}</button>
      </div>
      <ErrorBox error={error} advice={USER_ADVICE} />
    </form>
  );
}

export function Users() {
  const s = useStore();
  const [rows, setRows] = useState<UserRow[] | null>(null);
  const [teams, setTeams] = useState<Team[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetting, setResetting] = useState<number | null>(null);
  const load = () => Promise.all([loadUsers(), loadTeams()]).then(([u, tm]) => { setRows(u); setTeams(tm); }, setError);
  useEffect(() => { load(); }, []);

  async function change(u: UserRow, body: Record<string, unknown>, done: string) {
    setNotice(null);
    try {
      const r = await patch<UserRow>(`/api/v1/users/${u.id}`, body);
      setRows((rs) => rs && rs.map((x) => (x.id === u.id ? r : x)));
      setError(null);
      setNotice(done);
    } catch (err) { setError(err); load(); }
  }
  const teamName = (id: number | null) => teams.find((x) => x.id === id)?.name || t('users.no_team');

  return (
    <section>
      <h1>{t('admin.users')}</h1>
      <NewUser teams={teams} onDone={(n) => { setNotice(t('users.created', { name: n })); load(); }} />
      <ErrorBox error={error} advice={USER_ADVICE} onDismiss={() => setError(null)} />
      <Notice text={notice} />
      {rows === null ? !error && <Spinner /> : (
        <div class="table-wrap"><table class="grid">
          <thead><tr><th scope="col">{t('login.name')}</th><th scope="col">{t('users.role')}</th><th scope="col">{t('f.team_id')}</th>
            <th scope="col">{t('users.status')}</th><th scope="col">{t('f.created_at')}</th><th scope="col">{t('users.actions')}</th></tr></thead>
          <tbody>{rows.map((u) => {
            const self = u.id === s.user?.id;
            return (
              <>
                <tr class={u.disabled ? 'disabled' : ''} data-user={u.name}>
                  <th scope="row">{u.name}{self && <span class="badge">{t('users.you')}</span>}</th>
                  <td><select name={`role-${u.id}`} aria-label={t('users.role_of', { name: u.name })} value={u.role} disabled={self}
                    onChange={(e) => { const r = (e.target as HTMLSelectElement).value; change(u, { role: r }, t('users.role_set', { name: u.name, role: t('role.' + r) })); }}>
                    {ROLES.map((r) => <option value={r}>{t('role.' + r)}</option>)}
                  </select></td>
                  <td><select name={`team-${u.id}`} aria-label={t('users.team_of', { name: u.name })} value={u.team_id === null ? '' : String(u.team_id)}
                    onChange={(e) => { const v = (e.target as HTMLSelectElement).value; const id = v ? Number(v) : null; change(u, { team_id: id }, t('users.team_set', { name: u.name, team: teamName(id) })); }}>
                    <TeamOptions teams={teams} />
                  </select></td>
                  <td>{u.disabled ? t('users.disabled') : t('users.active')}</td>
                  <td>{formatDateTime(u.created_at, s.locale, s.tz)}</td>
                  <td class="actions">
                    {!self && (
                      <button type="button" onClick={() => change(u, { disabled: !u.disabled }, t(u.disabled ? 'users.enabled_note' : 'users.disabled_note', { name: u.name }))}>
                        {t(u.disabled ? 'users.enable' : 'users.disable')}
                      </button>
                    )}
                    <button type="button" aria-expanded={resetting === u.id} onClick={() => setResetting(resetting === u.id ? null : u.id)}>
                      {t('users.reset')}
                    </button>
                  </td>
                </tr>
                {resetting === u.id && (
                  <tr><td colSpan={6}>
                    <ResetPassword user={u} onCancel={() => setResetting(null)}
                      onDone={() => { setResetting(null); setNotice(t('users.password_set', { name: u.name })); }} />
                  </td></tr>
                )}
              </>
            );
          })}</tbody>
        </table></div>
      )}
    </section>
  );
}
