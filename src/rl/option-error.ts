/**
 * A learner option broke a rule. `field` names the option (`gamma`, `numMinibatches`, `totalSteps`, or `env`
 * when the environment could not be built or is not supported); the message names the field and the rule.
 * A RangeError, so `catch` blocks written for the earlier RangeErrors keep working.
 */
export class OptionError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OptionError";
  }
}

/** Run `fn` (which builds or inspects the environment); its errors become an {@link OptionError} of field `env`. */
export function envErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof OptionError) throw err;
    throw new OptionError("env", err instanceof Error ? err.message : String(err), { cause: err });
  }
}
