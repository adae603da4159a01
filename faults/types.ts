/**
 * The fault suite's contract (issue 8): every row is one kind of disorder or attack, run against the
 * real services (local runtime / simulator, SES emulator, DynamoDB Local or the memory table), and
 * reports what it counted. Goal for every row: 0 lost, 0 doubled, 0 crashed, 0 leaked.
 *
 * Rows live in `faults/rows/<name>.ts`, each with a default export of `FaultCheck`; the runner
 * (`npm run faults`) and the reduced run in `npm test` find them there.
 */
export interface FaultRow {
  /** e.g. "duplicates ×3 (same id)" */
  name: string;
  /** How many cases (customers, events, emails …) the row exercised. */
  cases: number;
  /** Emails or state changes that should have happened and did not. */
  lost: number;
  /** Emails sent or events published more than once. */
  doubled: number;
  /** Handler invocations that threw instead of accepting or rejecting. */
  crashed: number;
  /** Personal data found where it must not be, or forged value that got through. */
  leaked: number;
  /** One line on what was done and seen, e.g. "485 emails, 2-minute outage, 3 resends after grace". */
  note?: string;
}

export interface FaultRunOptions {
  /** `small` runs inside `npm test`; `full` is `npm run faults`. */
  size: 'small' | 'full';
  /** Seed for every random choice of the row, so a failure can be replayed. */
  seed: number;
}

export interface FaultCheck {
  name: string;
  run(options: FaultRunOptions): Promise<FaultRow>;
}
