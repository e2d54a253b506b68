// Registers every environment: one import per module.
import "./contract-negotiation.js";
import "./contract-negotiation-parallel.js";
