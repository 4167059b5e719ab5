// pdv's sign-in for the forum (auth.type 'module'): PostGraphile's
// `authenticate` mutation turns an email and password into a JWT, sent as
// `Authorization: Bearer …` on every request pdv makes as that role.
//
// The forum's own refusal ("Incorrect email or password") comes back as a
// GraphQL error: that is the application refusing the login (`refused` →
// smoke.login.<role> failed). A fault of this module itself (it throws) means
// pdv could not sign in at all → errored, a hold, never a rollback.

// In your project: import type { LoginModule } from 'pdv';
import type { LoginModule } from '../../../src/config/index.ts';

const AUTHENTICATE = `mutation Authenticate($email: String!, $password: String!) {
  authenticate(input: { email: $email, password: $password }) { jwtToken }
}`;

interface GraphQLAnswer {
  data?: { authenticate?: { jwtToken?: string | null } | null } | null;
  errors?: Array<{ message?: string }>;
}

const login: LoginModule = async ({ username, password, apiUrl, fetch, signal }) => {
  const res = await fetch(`${apiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query: AUTHENTICATE, variables: { email: username, password } }),
    signal,
  });
  const text = await res.text();
  let answer: GraphQLAnswer;
  try {
    answer = JSON.parse(text) as GraphQLAnswer;
  } catch {
    return { refused: `POST /graphql answered HTTP ${res.status} with no GraphQL answer: ${text.slice(0, 200)}` };
  }
  const token = answer.data?.authenticate?.jwtToken;
  if (answer.errors?.length || !token) return { refused: answer.errors?.[0]?.message ?? `authenticate gave no token (HTTP ${res.status})` };
  return { headers: { authorization: `Bearer ${token}` } };
};

export default login;
