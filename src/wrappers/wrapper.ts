// The Wrapper base class lives in core (the registry's TimeLimit extends it); wrappers import it from here.
export * from "../core/wrapper.js";
