// Registers every environment on import (one line per module).
import "./classic/index.js";
