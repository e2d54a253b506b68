// Classic-control validation environments (Gymnasium's), registered on import.
import { z } from "zod";
import { register, registeredIds } from "../../core/registry.js";
import { zodConfigError } from "../../io/errors.js";
import { CartPole } from "./cartpole.js";
import { Pendulum } from "./pendulum.js";

export { CartPole, type CartPoleState } from "./cartpole.js";
export { Pendulum, type PendulumState } from "./pendulum.js";

/** CartPole-v1 takes no options. */
export const cartPoleOptionsSchema = z.strictObject({});

/** The options of Pendulum-v1. */
export const pendulumOptionsSchema = z.strictObject({
  /** Gravitational acceleration (m/s^2). */
  g: z.number({ error: "must be a number" }).default(10.0).describe("Gravitational acceleration (m/s^2)."),
});

function parseOptions<S extends z.ZodType>(id: string, schema: S, options: Record<string, unknown>): z.output<S> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) throw zodConfigError(`${id} options`, parsed.error);
  return parsed.data;
}

if (!registeredIds().includes("CartPole-v1")) {
  register(
    "CartPole-v1",
    (options) => {
      parseOptions("CartPole-v1", cartPoleOptionsSchema, options);
      return new CartPole();
    },
    { maxEpisodeSteps: 500, rewardThreshold: 475, description: "Gymnasium's cart-pole balancing task (validation)" },
  );
}
if (!registeredIds().includes("Pendulum-v1")) {
  register(
    "Pendulum-v1",
    (options) => {
      return new Pendulum(parseOptions("Pendulum-v1", pendulumOptionsSchema, options).g);
    },
    { maxEpisodeSteps: 200, description: "Gymnasium's inverted pendulum swing-up, continuous torque (validation)" },
  );
}
