/** A market description breaks a rule of the model (docs/model.md section A); `path` names the offending field. */
export class MarketSpecError extends Error {
  constructor(
    readonly path: string,
    readonly rule: string,
  ) {
    super(`${path}: ${rule}`);
    this.name = "MarketSpecError";
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
