/** One answer the grader looks at (any HTTP client's response with these fields will do). */
export interface ProbeResponse {
  url: string;
  status: number;
  /** Lower-case names; every value kept (Set-Cookie can repeat). */
  headers: Record<string, string[]>;
  body: string;
  /** https only: the certificate chain verified against the trust store. */
  verified?: boolean;
}

/** What the grader looks at: the same set of responses the Observatory's retriever gathers. */
export interface ObservatoryInput {
  /** The page graded: the HTTPS answer when HTTPS answered, else the HTTP one. */
  auto?: ProbeResponse;
  /** First answer on the http:// URL (undefined: no HTTP listener, or none configured). */
  http?: ProbeResponse;
  /** First answer on the https:// URL (undefined: no HTTPS). */
  https?: ProbeResponse;
  /** The http:// redirect route: the first URL, then every hop followed. */
  httpRedirects: Array<{ url: string; status: number }>;
  /** A CORS preflight (OPTIONS) sent with `Origin: corsOrigin`. */
  cors?: ProbeResponse;
  corsOrigin: string;
  /** Set-Cookie values seen on the graded page and its redirects. */
  setCookies: string[];
}

export type TestName =
  | 'content-security-policy'
  | 'cookies'
  | 'cross-origin-resource-sharing'
  | 'redirection'
  | 'referrer-policy'
  | 'strict-transport-security'
  | 'subresource-integrity'
  | 'x-content-type-options'
  | 'x-frame-options'
  | 'cross-origin-resource-policy';

export interface TestOutcome {
  name: TestName;
  /** The Observatory's expectation/result key, e.g. `csp-not-implemented`. */
  result: string;
  pass: boolean;
  modifier: number;
  /** The header value(s) the test looked at (null: not sent). */
  seen: string | null;
}

export interface GradeResult {
  score: number;
  grade: string;
  tests: TestOutcome[];
  testsPassed: number;
  testsFailed: number;
}
