// Experiment files (schema, loading), the task list, the worker pool and the resumable runner.
export * from "./schema.js";
export * from "./task.js";
export { runPool, defaultWorkers, type PoolOptions } from "./pool.js";
export { createProgress, type Progress, type ProgressOptions } from "./progress.js";
export { PartialStore, encodeJson, decodeJson, type SavedTask } from "./partial.js";
export * from "./runner.js";
export {
  runHubEpisode,
  hubEpisodeRecord,
  type EpisodeOutcome,
  type EpisodeOptions,
  type HubOutcome,
  type PeriodOutcome,
} from "./scenarios/hub-episode.js";
export { tradeRows, contributionRows, outcomeRows, TRADE_COLUMNS, CONTRIBUTION_COLUMNS, OUTCOME_COLUMNS } from "./scenarios/hub-report.js";
export { experimentJsonSchema, experimentJsonSchemaText } from "./json-schema.js";
export { loadPlugins, pluginFiles } from "./plugins.js";
