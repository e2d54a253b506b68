// Importing this module registers every environment. One import line per environment module.
import "./contract-negotiation.js";
import "./contract-negotiation-parallel.js";
import "./hub-trading.js";
