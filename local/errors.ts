/** Errors of the local tools: each is a user-facing problem the CLI prints without a stack trace. */

/** A command line the CLI cannot run; printed with the usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

export class DispatchNotSettledError extends Error {
  override name = 'DispatchNotSettledError';
}

export class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

export class PreviewError extends Error {
  override readonly name = 'PreviewError';
}

export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
}

export class UnsupportedExpression extends Error {
  override name = 'UnsupportedExpression';
}

/** A backtest that cannot run: a missing or malformed events file, an unknown journeys directory. */
export class BacktestError extends Error {
  override name = 'BacktestError';
}
