/**
 * The engine's errors. Named subclasses, so callers and logs can tell them apart; each takes the
 * standard `{ cause }` option.
 */

/** Compile-time exhaustiveness: a switch over a union ends here, so a new member fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new TypeError(`unhandled ${what}: ${JSON.stringify(value)}`);
}

/** A journey id the catalog does not hold (not even disabled): a routing or deployment mistake. */
export class UnknownJourneyError extends Error {
  override name = 'UnknownJourneyError';
  constructor(
    readonly journeyId: string,
    options?: ErrorOptions,
  ) {
    super(`unknown journey "${journeyId}"`, options);
  }
}

export class UnknownDefinitionVersionError extends Error {
  override name = 'UnknownDefinitionVersionError';
  constructor(
    readonly journeyId: string,
    readonly version: string,
  ) {
    super(`journey ${journeyId}: definition version ${version} is not loaded`);
  }
}
