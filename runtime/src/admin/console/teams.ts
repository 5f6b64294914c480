import { api, seg } from './api.js';
import { auditLink } from './audit-link.js';
import { byId, cell, el, emptyRow, failed, field, say } from './dom.js';
import { time } from './format.js';
import { rememberName } from './names.js';
import { orgId } from './session.js';
import { loadTokens, type TokenList, wireTokenForm } from './tokens.js';
import type { Team } from './types.js';

/** The team whose tokens are open (`#teams/<slug>`), if any. */
let openTeam: TokenList | undefined;

const teamsPath = (): string => `/api/v1/orgs/${seg(orgId())}/teams`;

/** Teams: `#teams` lists and creates them; `#teams/<slug>` opens one with its tokens. */
export async function loadTeams(slug?: string): Promise<void> {
  byId('team-list').hidden = slug !== undefined;
  byId('team-detail').hidden = slug === undefined;
  if (slug === undefined) {
    openTeam = undefined;
    return loadTeamList();
  }
  const team = await api<Team>('GET', `${teamsPath()}/${seg(slug)}`);
  rememberName(team.id, team.name);
  byId('team-title').textContent = `Team ${team.name} (${team.slug}): tokens`;
  openTeam = {
    path: `${teamsPath()}/${seg(team.slug)}/tokens`,
    rows: byId<HTMLTableSectionElement>('team-token-rows'),
    secretBox: 'team-token-secret',
    noun: 'team token',
  };
  await loadTokens(openTeam);
}

/** Loads the teams (also for the names the audit view shows beside team ids). */
export async function fetchTeams(): Promise<Team[]> {
  const { teams } = await api<{ teams: Team[] }>('GET', teamsPath());
  for (const team of teams) rememberName(team.id, team.name);
  return teams;
}

async function loadTeamList(): Promise<void> {
  const teams = await fetchTeams();
  const tbody = byId<HTMLTableSectionElement>('team-rows');
  if (teams.length === 0) return emptyRow(tbody, 5, 'No teams yet.');
  tbody.replaceChildren(
    ...teams.map((team) =>
      el('tr', { dataset: { slug: team.slug } }, [
        cell(team.name),
        el('td', {}, [el('code', { text: team.slug })]),
        el('td', {}, [el('code', { text: team.id })]),
        cell(time(team.created_at)),
        el('td', { className: 'actions' }, [
          el('a', {
            href: `#teams/${encodeURIComponent(team.slug)}`,
            className: 'open-team',
            text: 'Tokens',
            'aria-label': `Tokens of the team ${team.name}`,
          }),
          auditLink(team.id, `the team ${team.name}`),
        ]),
      ]),
    ),
  );
}

async function createTeam(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  try {
    const team = await api<Team>('POST', teamsPath(), {
      name: field(form, 'name').value.trim(),
      slug: field(form, 'slug').value.trim(),
    });
    form.reset();
    say(`Team ${team.name} (${team.slug}) created.`);
    window.location.hash = `#teams/${encodeURIComponent(team.slug)}`;
  } catch (error) {
    failed('Creating the team', error);
  }
}

export function wireTeams(): void {
  byId<HTMLFormElement>('team-create').addEventListener('submit', (event) => void createTeam(event));
  wireTokenForm(byId<HTMLFormElement>('team-token-create'), () => openTeam);
}
