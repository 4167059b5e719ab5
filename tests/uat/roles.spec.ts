import { test, expect } from '../support/fixtures.ts';
import { apiUrl } from '../support/target.ts';
import { ProjectsPage } from '../support/pages/projects-page.ts';
import { ProjectPage } from '../support/pages/project-page.ts';

// A viewer may look, never touch — in the UI and, more importantly, in the API.

test.describe('viewer', { tag: ['@uat', '@roles'] }, () => {
  test.use({ role: 'viewer' });

  test('browses projects without edit controls', { tag: '@major' }, async ({ page }) => {
    const projects = new ProjectsPage(page);
    await projects.goto();
    await expect(projects.items.first()).toBeVisible();
    await expect(projects.newButton).toHaveCount(0);
    await projects.openFirst();
    await new ProjectPage(page).expectReadOnly();
  });

  test('is refused a direct API write', { tag: '@critical' }, async ({ api }) => {
    const res = await api.post(apiUrl('/api/projects'), { data: { title: 'written by a viewer' } });
    expect(res.status(), 'POST /api/projects with the viewer session').toBe(403);
  });
});
