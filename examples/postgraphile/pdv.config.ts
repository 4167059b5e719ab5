import { defineConfig } from '../../src/config/index.ts';

// pdv for a GraphQL API made by PostGraphile 4 from a PostgreSQL schema
// (schema.sql beside this file: the forum of PostGraphile's own tutorial).
// Who may do what is decided by PostgreSQL: each request runs as the database
// role named in its JWT.
//   person — forum_person: reads the forum, edits their own name;
//   admin  — forum_admin: a person who also posts and removes announcements.
// Signing in is a GraphQL mutation (`authenticate`), so the login is a small
// module of your own (pdv/login.ts). The passwords come from the environment
// (FORUM_PERSON_PASSWORD, FORUM_ADMIN_PASSWORD), never from here.
//
//   FORUM_PERSON_PASSWORD=… FORUM_ADMIN_PASSWORD=… npx pdv verify \
//     --config examples/postgraphile/pdv.config.ts --base-url https://forum-api.staging.example.com

/** A GraphQL request as a smoke check's body. */
const graphql = (query: string): { query: string } => ({ query });

export default defineConfig({
  project: 'forum-api',
  environments: {
    staging: {
      // Replaced by --base-url (or PDV_BASE_URL); GraphQL is at /graphql on it.
      baseUrl: 'http://127.0.0.1:5000',
      // Ready: GET /healthz (health-plugin.cjs) answers {"status":"ok"} once the database answers.
      health: { path: '/healthz', ready: { status: 200, json: { status: 'ok' } } },
      version: { path: '/healthz', field: 'version' },
      credentials: {
        person: { username: 'ada@example.com', passwordEnv: 'FORUM_PERSON_PASSWORD' },
        admin: { username: 'grace@example.com', passwordEnv: 'FORUM_ADMIN_PASSWORD' },
      },
      auth: {
        type: 'module',
        module: './pdv/login.ts',
        // Signed in means the API knows who is asking.
        verify: {
          path: '/graphql',
          method: 'POST',
          body: graphql('{ currentPerson { id } }'),
          expect: { status: 200, json: { 'data.currentPerson.id': { type: 'number' } } },
        },
      },
      allowedHosts: ['127.0.0.1'],
    },
  },
  stages: {
    smoke: {
      // Each role signs in first (smoke.login.person, smoke.login.admin: critical).
      checks: [
        {
          id: 'announcements',
          title: 'anyone reads the announcements',
          method: 'POST',
          path: '/graphql',
          body: graphql('{ allAnnouncements { totalCount } }'),
          expect: { status: 200, json: { 'data.allAnnouncements.totalCount': { type: 'number' }, errors: { exists: false } } },
          severity: 'critical',
        },
        {
          id: 'person-whoami',
          title: 'the person is known by name',
          method: 'POST',
          path: '/graphql',
          role: 'person',
          body: graphql('{ currentPerson { firstName } }'),
          expect: { status: 200, json: { 'data.currentPerson.firstName': 'Ada' } },
          severity: 'critical',
        },
        {
          id: 'admin-whoami',
          title: 'the admin is known by name',
          method: 'POST',
          path: '/graphql',
          role: 'admin',
          body: graphql('{ currentPerson { firstName } }'),
          expect: { status: 200, json: { 'data.currentPerson.firstName': 'Grace' } },
          severity: 'major',
        },
        // The access rules of a GraphQL API: it answers 200 whether or not PostgreSQL
        // allowed the operation, so the rule is on the answer's `errors`. Removing
        // announcement 0 (there is none) asks PostgreSQL for the DELETE privilege
        // and changes nothing either way.
        {
          id: 'person-removes-announcements',
          title: 'a person may not remove announcements',
          method: 'POST',
          path: '/graphql',
          role: 'person',
          body: graphql('mutation { deleteAnnouncementById(input: { id: 0 }) { deletedAnnouncementId } }'),
          expect: { status: 200, json: { 'errors.0.message': { matches: '^permission denied for table announcement' } } },
          severity: 'critical',
        },
        {
          id: 'admin-removes-announcements',
          title: 'an admin passes the permission check to remove announcements',
          method: 'POST',
          path: '/graphql',
          role: 'admin',
          body: graphql('mutation { deleteAnnouncementById(input: { id: 0 }) { deletedAnnouncementId } }'),
          expect: { status: 200, json: { 'errors.0.message': { matches: '^No values were deleted' } } },
          severity: 'major',
        },
      ],
    },
    security: {
      // PostGraphile sends no security headers of its own; put it behind a proxy that
      // adds them and set headers.minimumGrade. The exposed-file probes all run.
      // The access table of a GraphQL API is judged by what the answer says: 200
      // either way, with PostgreSQL's refusal in `errors`. Anonymous may not post or
      // remove announcements (removing announcement 0 asks for the DELETE privilege
      // and changes nothing either way; the create is refused before any row is written).
      access: {
        rules: [
          {
            name: 'anonymous-creates-announcements',
            method: 'POST',
            path: '/graphql',
            role: 'anonymous',
            body: graphql('mutation { createAnnouncement(input: { announcement: { body: "pdv access probe" } }) { announcement { id } } }'),
            expect: { status: 200, json: { 'errors.0.message': { matches: '^permission denied for table announcement' } } },
          },
          {
            name: 'anonymous-removes-announcements',
            method: 'POST',
            path: '/graphql',
            role: 'anonymous',
            body: graphql('mutation { deleteAnnouncementById(input: { id: 0 }) { deletedAnnouncementId } }'),
            expect: { status: 200, json: { 'errors.0.message': { matches: '^permission denied for table announcement' } } },
          },
        ],
      },
    },
    uat: {
      // API specs that act as each role with the session its login module gave (no password in the spec).
      testDir: './uat',
      retries: 0,
      workers: 1,
    },
  },
});
