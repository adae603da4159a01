/** Errors the adapters raise for faults of the AWS services behind them (each takes `{ cause }`). */

export class FirehoseDeliveryError extends Error {
  override name = 'FirehoseDeliveryError';
}

/** SES did not take the email (throttled, unreachable before sending): safe to try again later. */
export class RetryableSendError extends Error {
  override name = 'RetryableSendError';
}

/** SES may have taken the email (timeout, 5xx, reset after sending): never resend blindly. */
export class AmbiguousSendError extends Error {
  override name = 'AmbiguousSendError';
}

export class AthenaQueryError extends Error {
  override name = 'AthenaQueryError';
}

export class PublishError extends Error {
  override name = 'PublishError';
}

/** A conditional write whose condition did not hold: someone else got there first (not a fault). */
export function isConditionFailure(error: unknown): boolean {
  // By name: the SDK's class, the memory table's stand-in and a test double all carry it.
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}
