/** Errors of the services (the imperative shell around the engine). */

export class ConflictRetriesExhaustedError extends Error {
  override name = 'ConflictRetriesExhaustedError';
}
