import { test, expect, target } from '../support/fixtures.ts';
import { credentials } from '../support/target.ts';
import { LoginPage } from '../support/pages/login-page.ts';
import { ProjectsPage } from '../support/pages/projects-page.ts';
import { ProjectPage } from '../support/pages/project-page.ts';

// The studio's core promise: a script in, a storyboard out.

const SCRIPT = `Title: The Verification
INT. CONTROL ROOM - NIGHT
An engineer watches a deploy go green.
`;

test.describe('editor', { tag: '@uat' }, () => {
  test('renders a storyboard from an uploaded script', { tag: ['@render', '@critical'] }, async ({ page }) => {
    const renderTimeout = Number(target.vars.renderTimeoutMs ?? 20_000);
    const title = `UAT storyboard ${target.runId}`;

    await test.step('sign in through the login form', async () => {
      const login = new LoginPage(page);
      await login.goto('/projects');
      await login.login(credentials('editor'));
      await expect(page.getByTestId('page-projects')).toBeVisible();
    });

    const project = new ProjectPage(page);
    await test.step('create a film project', async () => {
      await new ProjectsPage(page).openOrCreate(title);
      await project.expectEditable();
    });

    await test.step('upload the script', async () => {
      await project.uploadScript({ name: 'the-verification.fountain', mimeType: 'text/plain', buffer: Buffer.from(SCRIPT) });
    });

    await test.step('render the storyboard and follow its progress', async () => {
      await project.renderStoryboard(renderTimeout);
    });

    await test.step('open the result', async () => {
      const result = (await project.openResult()) as { storyboard?: unknown };
      expect(result.storyboard, 'the result holds a storyboard').toBeTruthy();
    });
  });
});
