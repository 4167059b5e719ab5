// In your project: import { test, expect } from 'pdv/playwright';
import { test, expect } from '../../../src/playwright/fixtures.ts';

// Each role calls the GraphQL API with the session its login module gave
// (the bearer token pdv signed in with): the API knows who is asking, and
// PostgreSQL lets each role do only what its grants allow.

const graphql = (query: string): { data: { query: string } } => ({ data: { query } });

test.describe('person', { tag: '@uat' }, () => {
  test.use({ role: 'person' });

  test('is known by name and may rename themselves, not post announcements', { tag: '@critical' }, async ({ request }) => {
    const me = await (await request.post('/graphql', graphql('{ currentPerson { id firstName } }'))).json();
    expect(me.data.currentPerson.firstName).toBe('Ada');
    // A rename to the same name changes nothing, and needs the UPDATE grant on their own row.
    const renamed = await (await request.post('/graphql', graphql(`mutation { updatePersonById(input: { id: ${me.data.currentPerson.id}, personPatch: { firstName: "Ada" } }) { person { firstName } } }`))).json();
    expect(renamed.errors).toBeUndefined();
    const post = await (await request.post('/graphql', graphql('mutation { createAnnouncement(input: { announcement: { body: "x" } }) { announcement { id } } }'))).json();
    expect(post.errors?.[0]?.message).toMatch(/permission denied/);
  });
});

test.describe('admin', { tag: '@uat' }, () => {
  test.use({ role: 'admin' });

  test('is known by name', { tag: '@critical' }, async ({ request }) => {
    const me = await (await request.post('/graphql', graphql('{ currentPerson { firstName } }'))).json();
    expect(me.data.currentPerson.firstName).toBe('Grace');
  });
});
