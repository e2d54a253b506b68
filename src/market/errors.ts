import { ConfigError, type ConfigIssue } from "../io/errors.js";

/**
 * A market description breaks a rule of the model (docs/model.md section A): a ConfigError of the document
 * "market spec" whose issues name each offending field by its JSON path inside the spec (a caller that reads the
 * spec from a file re-anchors them with `nestConfigError`). `path` and `rule` are the first issue's.
 */
export class MarketSpecError extends ConfigError {
  constructor(issues: ConfigIssue[]) {
    super("market spec", issues);
    this.name = "MarketSpecError";
  }
  get path(): string {
    return this.issues[0]?.path ?? "";
  }
  get rule(): string {
    return this.issues[0]?.message ?? "";
  }
}

/** The solver did not reach an equilibrium within its iteration cap (or the market has none). */
export class NoEquilibriumError extends Error {
  constructor(
    readonly method: string,
    readonly iterations: number,
    readonly residual: number,
    detail = "",
  ) {
    super(
      `${method}: no equilibrium within ${iterations} iterations (max relative excess demand ${residual.toExponential(3)})${detail ? `; ${detail}` : ""}`,
    );
    this.name = "NoEquilibriumError";
  }
}
