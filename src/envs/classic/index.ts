// Classic-control validation environments (Gymnasium's), registered on import.
import { register, registeredIds } from "../../core/registry.js";
import { CartPole } from "./cartpole.js";
import { Pendulum } from "./pendulum.js";

export { CartPole, type CartPoleState } from "./cartpole.js";
export { Pendulum, type PendulumState } from "./pendulum.js";

function noOptions(id: string, options: Record<string, unknown>, allowed: string[] = []): void {
  const extra = Object.keys(options).filter((k) => !allowed.includes(k));
  if (extra.length > 0)
    throw new RangeError(
      `${id}: unknown option(s) ${extra.join(", ")}` + (allowed.length ? `; allowed: ${allowed.join(", ")}` : "; it takes none"),
    );
}

if (!registeredIds().includes("CartPole-v1")) {
  register(
    "CartPole-v1",
    (options) => {
      noOptions("CartPole-v1", options);
      return new CartPole();
    },
    { maxEpisodeSteps: 500, rewardThreshold: 475, description: "Gymnasium's cart-pole balancing task (validation)" },
  );
}
if (!registeredIds().includes("Pendulum-v1")) {
  register(
    "Pendulum-v1",
    (options) => {
      noOptions("Pendulum-v1", options, ["g"]);
      if (options.g !== undefined && typeof options.g !== "number") throw new RangeError("Pendulum-v1: option g must be a number");
      return new Pendulum((options.g as number | undefined) ?? 10.0);
    },
    { maxEpisodeSteps: 200, description: "Gymnasium's inverted pendulum swing-up, continuous torque (validation)" },
  );
}
