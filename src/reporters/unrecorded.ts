// What the human reports say when verdict.json could not be written (disk
// full, EACCES, a bug that fails the schema): the truth or nothing. No page
// may claim a verdict the run did not record. Each reporter renders this in
// its own format (its `unrecorded` hook).

export const UNRECORDED_TITLE = 'pdv: the run failed to record its verdict';

/** The plain sentence every unrecorded page carries. */
export function unrecordedSentence(why: string): string {
  return `verdict.json could not be written (${why}). This run has no recorded verdict: pdv exits 2 (hold) and a person must look before the deploy is trusted.`;
}

export const UNRECORDED_EVENTS_NOTE = 'The event log (events.jsonl), where it could be written, keeps what was observed.';
