/** What `journeys send-test` cannot do, told to the person without a stack trace (exit code 1). */

/** `npm start` is not running, so there is no local SES emulator or table to use. */
export class NotRunningError extends Error {
  override readonly name = 'NotRunningError';
}

/** A send that cannot go out as asked: an unknown `--customer`, SES refusing, no sender configured. */
export class SendTestError extends Error {
  override readonly name = 'SendTestError';
}
