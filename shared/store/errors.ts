/** Errors of the store. Expected outcomes (a duplicate, a lost race) are values or these typed errors. */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Another writer changed the item since it was read; re-read and try again. */
export class VersionConflictError extends StoreError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} was changed concurrently`, options);
    this.name = 'VersionConflictError';
  }
}

/** A write's condition did not hold (the item is not in the state the write expected). */
export class ConditionFailedError extends StoreError {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`${operation}: the item is not in the expected state`, options);
    this.name = 'ConditionFailedError';
  }
}

/** The item already exists and was not to be overwritten. */
export class AlreadyExistsError extends StoreError {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`${what} already exists`, options);
    this.name = 'AlreadyExistsError';
  }
}

export function isConditionalCheckFailed(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  // A transaction reports its failed condition through its cancellation reasons.
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return error.name === 'TransactionCanceledException' && !!reasons?.some((r) => r.Code === 'ConditionalCheckFailed');
}
