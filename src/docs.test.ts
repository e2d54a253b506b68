import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The documentation refers only to files that exist: every relative link in README.md and docs/*.md resolves,
// and every repository path named in src/ (messages, help texts, comments) or in the docs' text exists.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const docs = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

/** Repository paths named in a text: docs/, experiments/, src/, bench/, test/, notebooks/ files with an extension. */
function namedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?<![\w./<{$-])((?:docs|experiments|src|bench|test|notebooks)\/[\w./-]*\.(?:md|json|ts|csv|ipynb))(?![\w<{*])/g,
  ))
    out.push(m[1]);
  return out;
}

describe("documentation refers only to existing files", () => {
  it("every relative link in README.md and docs/*.md resolves", () => {
    const broken: string[] = [];
    let links = 0;
    for (const doc of docs) {
      const text = readFileSync(join(ROOT, doc), "utf8");
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split("#")[0];
        if (target === "" || /^[a-z]+:/i.test(target)) continue; // an anchor or a URL
        links++;
        if (!existsSync(resolve(ROOT, dirname(doc), target))) broken.push(`${doc}: ${m[1]}`);
      }
    }
    expect(links).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });

  it("every repository path named in src/ and in the docs exists", () => {
    const missing: string[] = [];
    const sources = [...tsFiles(join(ROOT, "src")).map((f) => relative(ROOT, f)), ...docs];
    for (const file of sources) {
      const text = readFileSync(join(ROOT, file), "utf8");
      for (const p of new Set(namedPaths(text))) if (!existsSync(join(ROOT, p))) missing.push(`${file}: ${p}`);
    }
    expect(missing).toEqual([]);
  });

  it("the path scanner finds paths and skips placeholders", () => {
    expect(namedPaths("see docs/model.md, `experiments/default.json` and src/core/rng.ts.")).toEqual([
      "docs/model.md",
      "experiments/default.json",
      "src/core/rng.ts",
    ]);
    expect(namedPaths("copy experiments/<file>.json or results/x/metrics.csv")).toEqual([]);
  });

  it("README's example experiment is experiments/default.json", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const at = readme.search(/Example\s+\(`experiments\/default\.json`\):/);
    expect(at).toBeGreaterThan(0);
    const block = /```json\n([\s\S]*?)```/.exec(readme.slice(at))![1];
    const shipped = JSON.parse(readFileSync(join(ROOT, "experiments/default.json"), "utf8")) as Record<string, unknown>;
    // `$schema` is an editor hint, not part of the experiment.
    const { $schema: _, ...experiment } = shipped;
    const { $schema: __, ...shown } = JSON.parse(block) as Record<string, unknown>;
    expect(shown).toEqual(experiment);
  });
});
