import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { mappoOptionsSchema, ppoOptionsSchema } from "./rl/ppo/options.js";
import { reinforceOptionsSchema } from "./rl/reinforce/options.js";

/**
 * The one options pattern carries each field's text twice: a doc comment on the schema's property (what an editor
 * shows on hover over the inferred options type) and its `.describe()` text (what docs/config.md and the JSON schema
 * show). This test keeps the two the same wherever a property has both, over every non-test module of src/.
 */
const SRC = new URL(".", import.meta.url).pathname;

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return modules(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.endsWith(".d.ts") ? [p] : [];
  });
}

/** The literal text of the `.describe("...")` in a property value's method chain, if any. */
function describeText(expr: ts.Expression): string | undefined {
  let e: ts.Expression = expr;
  while (ts.isCallExpression(e) || ts.isPropertyAccessExpression(e) || ts.isParenthesizedExpression(e)) {
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      const arg = e.arguments[0];
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === "describe" && arg && ts.isStringLiteralLike(arg)) return arg.text;
      e = callee;
    } else e = e.expression;
  }
  return undefined;
}

/**
 * Options modules in which every property with a describe() text must carry the doc comment too (so that hover shows
 * it): the learners' options and those of the envs, strategies, demand and config files, the experiment file and its
 * sweep.
 */
const HOVER_DOCUMENTED = [
  "src/rl/on-policy-options.ts",
  "src/rl/ppo/options.ts",
  "src/rl/reinforce/options.ts",
  "src/rl/train-config.ts",
  "src/agents/builtin.ts",
  "src/agents/contracts/tactics.ts",
  "src/agents/market/best-response.ts",
  "src/contracts/config.ts",
  "src/demand/forecast-config.ts",
  "src/demand/make-forecaster.ts",
  "src/demand/process.ts",
  "src/envs/classic/index.ts",
  "src/envs/contract-negotiation.ts",
  "src/envs/hub-trading.ts",
  "src/envs/market-bidding-options.ts",
  "src/envs/market-option.ts",
  "src/envs/team-match.ts",
  "src/experiments/contracts-sensitivity.ts",
  "src/experiments/schema.ts",
  "src/experiments/sweep.ts",
  "src/hubs/config.ts",
  "src/hubs/shortage-forecast.ts",
  "src/market/config.ts",
  "src/market/spec.ts",
];

/** The properties of the file with a describe() text but no doc comment, as `file:line name`. */
function undocumentedProperties(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAssignment(n) && describeText(n.initializer) !== undefined && !ts.getJSDocCommentsAndTags(n).some(ts.isJSDoc))
      out.push(`${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1} ${n.name.getText(sf)}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * What an editor shows on hover over each property of exported types: `{ type: { property: text } }`, from the
 * TypeScript checker over a probe module that imports them (`{ "<module relative to src/>": [type, ...] }`).
 */
function hoverTexts(imports: Record<string, string[]>): Record<string, Record<string, string>> {
  const probe = join(SRC, "__hover_probe__.ts");
  const text = Object.entries(imports)
    .map(
      ([module, types]) =>
        `import type { ${types.join(", ")} } from "./${module}";\n${types.map((t) => `export type Probe${t} = ${t};`).join("\n")}\n`,
    )
    .join("");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) =>
    name === probe ? ts.createSourceFile(name, text, lang) : getSourceFile.call(host, name, lang, ...rest);
  host.fileExists = (name) => name === probe || fileExists.call(host, name);
  host.readFile = (name) => (name === probe ? text : readFile.call(host, name));
  const program = ts.createProgram([probe], options, host);
  const checker = program.getTypeChecker();
  const out: Record<string, Record<string, string>> = {};
  for (const st of program.getSourceFile(probe)!.statements) {
    if (!ts.isTypeAliasDeclaration(st)) continue;
    const texts: Record<string, string> = {};
    for (const p of checker.getTypeAtLocation(st.name).getProperties())
      texts[p.name] = ts.displayPartsToString(p.getDocumentationComment(checker));
    out[st.name.text.replace(/^Probe/, "")] = texts;
  }
  return out;
}

/** `{ property: describe() text }` of an object schema's fields. */
function describeTexts(schema: z.ZodType): Record<string, string> {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { properties: Record<string, { description?: string }> };
  return Object.fromEntries(Object.entries(json.properties).map(([k, p]) => [k, p.description ?? ""]));
}

/** Each property of the file with both a doc comment and a describe() text: [where, comment, describe text]. */
function documentedProperties(file: string): [string, string, string][] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const out: [string, string, string][] = [];
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAssignment(n)) {
      const text = describeText(n.initializer);
      const docs = ts.getJSDocCommentsAndTags(n).filter(ts.isJSDoc);
      if (text !== undefined && docs.length > 0) {
        const comment = ts.getTextOfJSDocComment(docs[docs.length - 1].comment) ?? "";
        const line = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
        out.push([`${relative(SRC, file)}:${line} ${n.name.getText(sf)}`, comment.replace(/\s+/g, " ").trim(), text]);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe("options doc comments", () => {
  const all = modules(SRC).flatMap(documentedProperties);

  it("a schema property's doc comment (hover) and its describe() text (docs/config.md) say the same", () => {
    expect(all.length).toBeGreaterThan(100);
    const differ = all
      .filter(([, comment, text]) => comment !== text)
      .map(([where, comment, text]) => `${where}: /** ${comment} */ vs "${text}"`);
    expect(differ).toEqual([]);
  });

  it("in the options modules every property with a describe() text has the doc comment too", () => {
    const files = HOVER_DOCUMENTED.map((f) => join(SRC, "..", f));
    expect(files.filter((f) => !modules(SRC).includes(f))).toEqual([]);
    expect(files.flatMap(undocumentedProperties)).toEqual([]);
  });

  it("hovering an option of PPOOptions, MAPPO's and REINFORCEOptions shows its text (the types are the schemas')", () => {
    const hover = hoverTexts({
      "rl/ppo/options.js": ["PPOOptions", "ResolvedPPOOptions"],
      "rl/reinforce/options.js": ["REINFORCEOptions"],
    });
    const ppo = describeTexts(ppoOptionsSchema);
    expect(Object.keys(ppo).length).toBeGreaterThan(30);
    expect(hover.PPOOptions).toEqual(ppo);
    expect(hover.ResolvedPPOOptions).toEqual(ppo);
    expect(describeTexts(mappoOptionsSchema)).toEqual(ppo);
    expect(hover.REINFORCEOptions).toEqual(describeTexts(reinforceOptionsSchema));
    expect(Object.values(hover.REINFORCEOptions).every((t) => t !== "")).toBe(true);
  });
});
