// Seed 004: a retailer and subcontractors negotiating wholesale-price (and buy-back) contracts.
export * from "./model.js";
export * from "./config.js";
export * from "./paper.js";
export * from "./generate.js";
export * from "./messages.js";
export * from "./protocol.js";
export * from "./tactics.js";
export * from "./allocation.js";
export { NegotiationEngine, OPEN, AGREED, FAILED, NOT_SELECTED, type EngineOptions } from "./negotiation.js";
export * from "./outcome.js";
export * from "./demand.js";
export * from "./runner.js";
