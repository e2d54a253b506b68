import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { experimentFileSchema } from "./schema.js";

/**
 * experiments/experiment.schema.json: the JSON schema of experiment files, generated from the zod schema
 * (`z.toJSONSchema`) with the built-in registries. Registered names (scenario, algorithms, metrics) are strings with
 * the built-in names as examples, so that an editor accepts a plugin's names; `supplygym run` checks them against the
 * registries. Every shipped experiment file names it in `$schema`. Regenerate with `npm run schema`; a test fails
 * when the shipped file is out of date.
 */
export const SCHEMA_FILE = fileURLToPath(new URL("../../experiments/experiment.schema.json", import.meta.url));

export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(experimentFileSchema({ open: true }), { target: "draft-2020-12", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    title: "supplygym experiment",
    description: "An experiment file of `supplygym run` (src/experiments/schema.ts; docs/experiments.md).",
  };
}

export function experimentJsonSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = experimentJsonSchemaText();
  let old = "";
  try {
    old = readFileSync(SCHEMA_FILE, "utf8");
  } catch {
    // first write
  }
  if (old === text) console.log(`${SCHEMA_FILE}: up to date`);
  else {
    writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
