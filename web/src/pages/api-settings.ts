// Settings > API Settings for one project: who may do what, then the three sections
// (Basic Authentication, HMAC Authentication, Legacy API credentials).
import { ApiFailure } from '../api';
import type { PageContext } from '../context';
import { copyableValue } from '../copy';
import { fill, h, uid } from '../dom';
import { getAccount, listProjects } from '../endpoints';
import { hrefFor, navigate } from '../router';
import { credentialSection } from '../sections/credential-section';
import { roleNotice, verificationNotice } from '../sections/notices';
import type { Project } from '../types';
import { errorNote, loadingNote, pageHeading, settingsBreadcrumb } from './layout';

function projectPicker(projects: Project[], current: Project): HTMLElement | null {
  if (projects.length < 2) return null;
  const id = uid('project-picker');
  const select = h('select', { id }, projects.map((p) => h('option', { value: p.projectId, selected: p.projectId === current.projectId }, p.name)));
  select.addEventListener('change', () => navigate(hrefFor({ name: 'api-settings', projectId: select.value })));
  return h('div', { class: 'field inline' }, h('label', { for: id }, 'Project'), select);
}

export async function apiSettingsPage(ctx: PageContext, projectId?: string): Promise<void> {
  ctx.setTitle('API Settings');
  const breadcrumb = settingsBreadcrumb('API Settings');
  fill(ctx.main, breadcrumb, pageHeading('API Settings'), loadingNote('API settings'));
  let projects: Project[];
  try {
    const [list, account] = await Promise.all([listProjects(), getAccount().catch(() => ctx.session.account)]);
    projects = list;
    ctx.setAccount(account);
  } catch (err) {
    fill(ctx.main, breadcrumb, pageHeading('API Settings'), errorNote(err instanceof ApiFailure ? err.message : 'The projects could not be loaded.'));
    return;
  }
  if (!projectId && projects[0]) return navigate(hrefFor({ name: 'api-settings', projectId: projects[0].projectId }), { replace: true });
  const project = projects.find((p) => p.projectId === projectId);
  if (!project) {
    const why = projects.length === 0 ? 'This account has no projects yet. An Administrator creates them on the Access keys page.' : 'There is no such project in this account.';
    fill(ctx.main, breadcrumb, pageHeading('API Settings'), h('div', { class: 'card empty' }, h('p', null, why), h('a', { href: hrefFor({ name: 'access-keys' }) }, 'Back to Access keys')));
    return;
  }
  ctx.setTitle(`API Settings · ${project.name}`);
  fill(
    ctx.main,
    breadcrumb,
    pageHeading('API Settings'),
    h(
      'div',
      { class: 'project-bar card' },
      projectPicker(projects, project) ?? h('p', { class: 'project-name' }, h('span', { class: 'muted' }, 'Project '), h('strong', null, project.name)),
      copyableValue('Project ID', project.projectId, uid('project-id')),
    ),
    roleNotice(ctx.session),
    verificationNotice(ctx.session, ctx.setAccount),
    credentialSection(ctx.session, project, 'basic'),
    credentialSection(ctx.session, project, 'hmac'),
    credentialSection(ctx.session, project, 'legacy'),
  );
}
