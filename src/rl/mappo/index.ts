export { MAPPO } from "./mappo.js";
