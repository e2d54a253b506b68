import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { main } from "../cli.js";
import { startDashboard } from "./dashboard-server.js";
import { tinyMarketExperiment } from "../experiments/testing/tiny-market.js";

// The page's DOM, as the browser-side callbacks of waitForFunction see it (the project compiles without the DOM lib).
declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("supplygym dashboard", () => {
  it("a port in use -> exit 2 saying what to do", async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    const port = (blocker.address() as { port: number }).port;
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void errors.push(a.join(" ")));
    try {
      expect(await main(["dashboard", tmpdir(), "--port", String(port)])).toBe(2);
      expect(errors.join("\n")).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use; pass another --port`));
      expect(await main(["dashboard", join(tmpdir(), "no-such-dir-sg"), "--port", "0"])).toBe(2);
      expect(errors.join("\n")).toMatch(/no-such-dir-sg: no such directory/);
    } finally {
      vi.restoreAllMocks();
      blocker.close();
    }
  });

  it.skipIf(!CHROMIUM)(
    `in headless Chromium: the page loads, a live curve grows while a tiny training runs, the summary table shows summary.csv (${CHROMIUM ? "chromium found" : "skipped: no chromium binary at /usr/bin/chromium; apt-get install -y chromium"})`,
    async () => {
      const { chromium } = await import("playwright-core");
      const work = mkdtempSync(join(tmpdir(), "sg-dash-"));
      const results = join(work, "results");
      mkdirSync(results);
      const dash = await startDashboard({ root: results, port: 0, pollMs: 100 });
      cleanups.push(() => dash.close());
      const browser = await chromium.launch({ executablePath: CHROMIUM });
      cleanups.push(() => browser.close());
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(dash.url);
      await page.waitForSelector("#empty");
      expect(await page.title()).toBe("supplygym dashboard");

      // A tiny experiment in another process: 150 PPO updates of 16 steps, one learned agent (long enough to be seen mid-run on a loaded machine).
      const exp = tinyMarketExperiment({ name: "dash-tiny", totalSteps: 2400, episodes: 2, updateEpochs: 4, output: results });
      const file = join(work, "exp.json");
      writeFileSync(file, JSON.stringify(exp));
      const child: ChildProcess = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli.ts", "run", file, "--workers", "1", "--models", join(work, "models")],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      cleanups.push(() => child.exitCode === null && child.kill("SIGKILL"));
      let err = "";
      child.stderr!.on("data", (d) => (err += String(d)));
      const exited = new Promise<number>((ok) => child.on("exit", (code) => ok(code ?? -1)));

      const chart = '.chart[data-experiment="dash-tiny"][data-task="task-one-0"]';
      const points = async () => Number(await page.getAttribute(chart, "data-points"));
      const pointsAre = (cmp: "==" | ">", n: number) =>
        page.waitForFunction(
          ([sel, c, k]) => {
            const v = Number(document.querySelector(sel as string)?.getAttribute("data-points"));
            return c === "==" ? v === k : v > (k as number);
          },
          [chart, cmp, n] as const,
          { timeout: 60_000 },
        );
      // Freeze the training as soon as its first curve point is on disk, so the page is seen mid-run whatever the
      // machine's speed (on idle cores the 150 updates take about a second, less than the page's 2 s refresh).
      const live = join(results, "dash-tiny", ".live", "task-one-0.jsonl");
      // The chart's points: complete lines of its metric (the mean episode return, all agents) with a value.
      const linesOnDisk = () =>
        existsSync(live)
          ? readFileSync(live, "utf8")
              .split("\n")
              .slice(0, -1)
              .map((l) => JSON.parse(l) as { metric: string; agent?: string; value: number | null })
              .filter((p) => p.metric === "rollout/episode_return_mean" && p.agent === undefined && p.value !== null).length
          : 0;
      const deadline = Date.now() + 60_000;
      while (linesOnDisk() < 1 && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill("SIGSTOP");
      const atStop = linesOnDisk();
      expect(atStop, err).toBeGreaterThanOrEqual(1);
      expect(atStop, err).toBeLessThan(150);
      await pointsAre("==", atStop); // the page shows every complete line written so far, and no more
      expect(child.exitCode, err).toBeNull();
      child.kill("SIGCONT");
      await pointsAre(">", atStop); // and the curve grows as the training goes on
      expect(await page.locator(`${chart} polyline`).count()).toBe(1);

      expect(await exited, err).toBe(0);
      await page.waitForSelector('section[data-experiment="dash-tiny"] table.summary', { timeout: 30_000 });
      expect(await points()).toBe(150);
      const runId = readdirSync(join(results, "dash-tiny")).find((f) => !f.startsWith("."))!;
      const rows = readFileSync(join(results, "dash-tiny", runId, "summary.csv"), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(","));
      expect(rows.length).toBeGreaterThan(2);
      for (const [condition, metric, mean] of rows) {
        const cell = page.locator(`details[data-run="${runId}"] tr[data-condition="${condition}"][data-metric="${metric}"] td.mean`);
        expect(await cell.textContent()).toBe(mean === "" ? "-" : Number(mean).toPrecision(6));
      }
      expect(await page.locator(`details[data-run="${runId}"] .figures img`).count()).toBeGreaterThan(0);
      if (process.env.SUPPLYGYM_SCREENSHOT) await page.screenshot({ path: process.env.SUPPLYGYM_SCREENSHOT, fullPage: false });
    },
    180_000,
  );
});
