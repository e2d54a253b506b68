#!/usr/bin/env node
// Entry point for `npx supplygym`: runs the TypeScript CLI through tsx's loader, no build step.
import { register } from "tsx/esm/api";

register();
const { main, installProcessGuards } = await import("../src/cli.ts");
// The same guards as `tsx src/cli.ts`: SIGINT/SIGTERM through the exit handlers, one line on a closed stdout.
installProcessGuards();
process.exitCode = await main(process.argv.slice(2));
