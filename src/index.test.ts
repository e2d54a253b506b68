import { readFileSync } from "node:fs";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The public API is the list of names src/index.ts exports. It names every export (no `export *`), so reading the
// file gives the whole API; this test pins it, so that adding, renaming or removing a public name is a deliberate
// edit of both files. Type-only names are marked "type ".
function exportedNames(text: string): { names: string[]; starExports: number } {
  const sf = ts.createSourceFile("index.ts", text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names: string[] = [];
  let starExports = 0;
  for (const st of sf.statements) {
    if (!ts.isExportDeclaration(st)) {
      if (ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
        throw new Error(`src/index.ts declares its own export at position ${st.pos}: export names from their modules`);
      }
      continue;
    }
    const clause = st.exportClause;
    if (clause === undefined || ts.isNamespaceExport(clause)) {
      starExports++;
      continue;
    }
    for (const el of clause.elements) names.push((st.isTypeOnly || el.isTypeOnly ? "type " : "") + el.name.text);
  }
  return { names: names.sort((a, b) => a.replace(/^type /, "").localeCompare(b.replace(/^type /, ""), "en")), starExports };
}

const API = [
  "firstBestEfficiency", "lossVsFirstBest", "surplusVsCompetitive", "surplusChangeVsCompetitive", "FirstBestSolver", "firstBestSurplus", "withoutBudgets",
  "allocationSurplus", "bestBid", "iterateBestResponses", "profitOfBid", "truthfulProfile", "maximize",
  "ActOptions", "Activation", "addedValueProportionality", "backendName", "BACKENDS",
  "BackendName", "BackendOptions", "bootstrapConfidenceInterval", "Box", "canSnapshot", "CartPole", "chainEfficiency",
  "checkEnv", "CheckEnvOptions", "Checkpoint", "checkParallelEnv", "ClipAction", "compileMarket", "CompiledMarket",
  "ComparisonRow", "comparisonRows", "ConfigError", "CurveRow", "deriveSeed", "Dict", "DictValue",
  "Discrete", "Env", "EnvCheckError", "EnvCheckReport", "EnvFactory", "EnvSpec", "envState", "Equilibrium",
  "EquilibriumSolver", "evaluatePolicy", "ExperimentFile", "FlattenObservation", "flatDim", "gini", "HUBS_METRICS",
  "hubsMetrics", "Info", "initBackend", "Interval", "isParallelEnv", "jainIndex", "LearnedPolicy",
  "learnerFromConfig", "LearnOptions", "loadExperiment", "loadHubsConfig", "loadLatestCheckpoint", "loadTrainConfig",
  "make", "MARKET_BIDDING_DEFAULTS", "MARKET_BIDDING_ID", "MARKET_BIDDING_PARALLEL_ID", "MARKET_METRICS",
  "MarketBiddingEnv", "MarketBiddingObservation", "MarketBiddingOptions", "marketBiddingOptionsSchema",
  "MarketBiddingParallelEnv", "marketMetrics", "MarketSpec", "MarketSpecError", "marketSpecSchema", "maxShare", "mean",
  "MeanCI", "MetricRecord", "metricRecords", "minShare", "MultiAgentPolicy", "MultiDiscrete", "nashSocialWelfare",
  "NEGOTIATION_METRICS", "NegotiationConfig", "negotiationMetrics", "NegotiationOutcome", "NetworkSpec",
  "NoEquilibriumError", "NormalizeObservation", "NormalizeObservationOptions", "NormalizeReward",
  "NormalizeRewardOptions", "OnPolicyLearner", "Outcome", "PAPER_NEGOTIATION_CONFIG", "paperMarket",
  "pairedDifference", "ParallelEnv", "ParallelRescaleAction", "ParallelResetResult", "ParallelStepResult",
  "ParallelToVector", "paretoCompare", "parseNegotiationConfig", "parseTrainConfig", "PeriodOutcome", "Pendulum",
  "Policy", "PolicyJSON", "PPO", "PPO_CONTINUOUS_DEFAULTS", "PPO_DEFAULTS", "PPOOptions", "priceDistortion", "Progress",
  "randomMarket", "RecordEpisodeStatistics", "register", "registeredIds", "RegisterOptions", "registration",
  "REINFORCE", "REINFORCE_DEFAULTS", "REINFORCEOptions", "RescaleAction", "ResetOptions", "ResetResult",
  "resolveExperiment", "ResolvedExperiment", "ResolvedHubsConfig", "resolveHubsConfig", "Rng", "RngState",
  "runExperiment", "runNegotiations", "RunningMeanStd", "RunOptions", "RunOutcome", "saveCheckpoint", "setEnvState",
  "shares", "Snapshotable", "solveEquilibrium", "Space", "spaceFromJSON", "SpaceJSON", "std", "StepResult",
  "SummaryRow", "summaryRows", "SyncVectorEnv", "tatonnement", "tConfidenceInterval", "TimeLimit", "TrainConfig",
  "trainConfigSchema", "TTestResult", "UnknownEnvError", "UsageError", "variance", "VectorEnv", "VectorResetResult",
  "VectorStepResult", "welchTTest", "welfare", "Wrapper",
  // Statistics over training seeds x evaluation episodes (docs/statistics.md).
  "adjustFamily", "aggregateRows", "AggregateRow", "benjaminiHochberg", "cellMatrix", "crossedDifference", "crossedInterval",
  "dictionaryRows", "EpisodeMetricRecord", "holm", "interquartileMean", "metricInfo", "probabilityOfImprovement", "seedMetricRecords",
  "wilsonInterval",
  // Extension points (docs/extending.md).
  "algorithmNames", "AlgorithmDef", "getAlgorithm", "getMetric", "getScenario", "getStrategy", "Learner", "LearnerClass", "LearnerOptions", "MetricDef", "metricDefs", "MetricInput", "PeriodPair", "registerAlgorithm", "registerMetric", "registerScenario", "registerStrategy", "RegistrationError", "ScenarioDef", "ScenarioModule", "scenarioNames", "StrategyContext", "StrategyFactory", "StrategyInfo", "strategyNames", "Task", "TaskContext", "TaskResult",
];

describe("public API (src/index.ts)", () => {
  const { names, starExports } = exportedNames(readFileSync(new URL("./index.ts", import.meta.url), "utf8"));

  it("names every export (no export * and no namespace re-export)", () => {
    expect(starExports).toBe(0);
  });

  it("exports exactly the pinned names (edit API here when the API changes on purpose)", () => {
    const bare = names.map((n) => n.replace(/^type /, ""));
    expect(new Set(bare).size).toBe(bare.length);
    expect([...bare].sort()).toEqual([...API].sort());
  });

  it("the parser sees value, type-only and renamed exports", () => {
    const probe = exportedNames('export { a, type B } from "./x.js";\nexport type { C } from "./y.js";\nexport { d as e } from "./z.js";\nexport * from "./w.js";\n');
    expect(probe.names).toEqual(["a", "type B", "type C", "e"]);
    expect(probe.starExports).toBe(1);
  });
});
