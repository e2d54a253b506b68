// Importing this module registers every environment. One import line per environment module.
import "./hub-trading.js";
