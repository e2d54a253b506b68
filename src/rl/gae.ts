/**
 * Generalised advantage estimation (Schulman et al. 2016) over a rollout stored time-major,
 * index `t * numEnvs + e`, with Stable-Baselines3's convention:
 * - `episodeEnds[t*n+e]` is 1 when the step at t ended an episode (terminated OR truncated). No value flows
 *   across it.
 * - A truncated step must already carry its bootstrap in the reward (`r + gamma * V(finalObservation)`), so
 *   truncation is treated as a cut, not as a terminal state.
 * - `lastValues[e]` = V(observation after the last step), used when the last step did not end an episode.
 * delta_t = r_t + gamma * V_{t+1} * (1 - end_t) - V_t;  A_t = delta_t + gamma * lambda * (1 - end_t) * A_{t+1};
 * returns = A + V.
 */
export function computeGae(input: {
  rewards: ArrayLike<number>;
  values: ArrayLike<number>;
  episodeEnds: ArrayLike<number>;
  lastValues: ArrayLike<number>;
  numSteps: number;
  numEnvs: number;
  gamma: number;
  gaeLambda: number;
}): { advantages: Float32Array; returns: Float32Array } {
  const { rewards, values, episodeEnds, lastValues, numSteps, numEnvs, gamma, gaeLambda } = input;
  const size = numSteps * numEnvs;
  if (rewards.length !== size || values.length !== size || episodeEnds.length !== size) {
    throw new RangeError(`computeGae: arrays must hold numSteps * numEnvs = ${size} entries`);
  }
  const advantages = new Float32Array(size);
  const returns = new Float32Array(size);
  for (let e = 0; e < numEnvs; e++) {
    let lastGae = 0;
    for (let t = numSteps - 1; t >= 0; t--) {
      const i = t * numEnvs + e;
      const nextValue = t === numSteps - 1 ? lastValues[e] : values[i + numEnvs];
      const nonTerminal = 1 - episodeEnds[i];
      const delta = rewards[i] + gamma * nextValue * nonTerminal - values[i];
      lastGae = delta + gamma * gaeLambda * nonTerminal * lastGae;
      advantages[i] = lastGae;
      returns[i] = lastGae + values[i];
    }
  }
  return { advantages, returns };
}
