// TimeLimit lives in core because `make` applies it (core imports nothing from wrappers); re-exported here with
// the other wrappers.
export * from "../core/time-limit.js";
