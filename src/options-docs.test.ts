import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

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
});
