/** Errors a handler throws on purpose so the platform retries the invocation. */

export class DeliveryInFlightError extends Error {
  override name = 'DeliveryInFlightError';
}
