export { Wrapper, requireBox } from "./wrapper.js";
export { TimeLimit } from "./time-limit.js";
export { ClipAction } from "./clip-action.js";
export { RescaleAction, ParallelRescaleAction, rescaleBetween } from "./rescale-action.js";
export { RunningMeanStd, type RunningMeanStdJSON } from "./running-mean-std.js";
export { NormalizeObservation, NORMALIZE_OBSERVATION_DEFAULTS, type NormalizeObservationOptions } from "./normalize-observation.js";
export { NormalizeReward, NORMALIZE_REWARD_DEFAULTS, type NormalizeRewardOptions } from "./normalize-reward.js";
export { FlattenObservation, flatten, flattenSpace, flatNames } from "./flatten-observation.js";
