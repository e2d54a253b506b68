import { existsSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import cliProgress from "cli-progress";
import type { Command } from "./command.js";
import "../envs/index.js";
import { UsageError } from "../io/errors.js";
import { LiveLog } from "../io/live-log.js";
import { buildManifest } from "../io/manifest.js";
import { makeParents, removeEmpty, RunDir, timestampId } from "../io/run-dir.js";
import { Lock, lockFileFor } from "../io/lock.js";
import { resolveInside } from "../io/names.js";
import { onInterrupt, signalExitCode, type InterruptSignal } from "../io/signals.js";
import { AGENT_CURVE_COLUMNS, agentCurveRows, historyPoints, progressPoints, type AgentCurveRow } from "../rl/curve-points.js";
import { initBackend, isBackendName, requireBackend } from "../rl/backend.js";
import { loadLatestCheckpoint, saveCheckpoint, type Checkpoint } from "../rl/checkpoint.js";
import { learnerFromConfig } from "../rl/learner-from-config.js";
import { CURVE_COLUMNS, type CurveRow, type Progress } from "../rl/on-policy.js";
import { loadTrainConfig } from "../rl/train-config.js";
import { parseCommandArgs } from "./args.js";

const help = `usage: supplygym train <experiment.json> [--out DIR] [--resume RUN_DIR] [--backend tensorflow|wasm|cpu]

Train a policy (PPO, MAPPO or REINFORCE) on a registered environment (MAPPO: a ParallelEnv with state()).

  <experiment.json>     training config: env, algorithm, hyperparameters, totalSteps, seed, numEnvs,
                        backend, checkpointEvery (see experiments/cartpole-ppo.json); training runs whole
                        batches of numEnvs * numSteps steps, so totalSteps is rounded down to a multiple
                        of the batch (said on stderr and in the manifest) and must be at least one batch
  --out DIR             results directory to create (default results/<experiment>/<run-id>/); never overwritten
  --resume RUN_DIR      continue the run whose checkpoints are in RUN_DIR (models/<experiment>/<run-id>/)
                        from its last checkpoint; the config must be the one it was started with
  --backend B           TensorFlow.js backend: tensorflow (tfjs-node), wasm or cpu (default: fastest available)
  --models-root DIR     where checkpoints go (default models/)

While training, appends every update's curve points (with the learning rate, and per-agent curves for
independent learners) to results/<experiment>/.live/<run-id>.jsonl and TensorBoard event files in
results/<experiment>/.live/<run-id>/ (tensorboard --logdir results/<experiment>/.live).
Writes learning_curve.csv, policy.json and manifest.json (and agent_curves.csv, each agent's own curve, for
independent learners) into the results directory and checkpoints (weights, optimiser and normalisation state,
RNG and env states, the curves so far) into
models/<experiment>/<run-id>/step-<N>/. Ctrl-C stops after the current update, saving a checkpoint.`;

function fmt(x: number, d = 1): string {
  return Number.isFinite(x) ? x.toFixed(d) : "-";
}

export const command: Command = {
  name: "train",
  summary: "train a policy with PPO, MAPPO or REINFORCE, with checkpoints and a learning curve",
  help,
  async run(argv) {
    const parsed = parseCommandArgs(
      "train",
      argv,
      { out: { type: "string" }, resume: { type: "string" }, backend: { type: "string" }, "models-root": { type: "string" } },
      help,
    );
    const { positionals, values } = parsed;
    if (positionals.length !== 1) throw new UsageError(`train: expected one experiment file, got ${positionals.length}\n\n${help}`);
    if (values.backend !== undefined && !isBackendName(values.backend))
      throw new UsageError(`train: --backend must be tensorflow, wasm or cpu, got "${values.backend}"`);
    const file = positionals[0];
    const cfg = loadTrainConfig(file);
    const backend = isBackendName(values.backend) ? values.backend : cfg.backend;
    if (backend !== undefined) await requireBackend(backend, `train: ${file}`);

    let resumed: Checkpoint | undefined;
    let modelsDir: string;
    let runId = timestampId();
    if (values.resume !== undefined) {
      modelsDir = resolve(values.resume);
      if (!existsSync(modelsDir)) throw new UsageError(`train: --resume ${values.resume}: no such directory`);
      const latest = loadLatestCheckpoint(modelsDir);
      if (!latest) throw new UsageError(`train: --resume ${values.resume}: no checkpoint in it`);
      resumed = latest.checkpoint;
      const a = JSON.stringify({ ...(resumed.config as object), backend: undefined });
      const b = JSON.stringify({ ...cfg, backend: undefined });
      if (a !== b)
        throw new UsageError(
          `train: ${file} differs from the config the run in ${values.resume} was started with; resume with the same file`,
        );
      runId = `${runId}-resumed`;
    } else {
      modelsDir = resolveInside(resolve(values["models-root"] ?? "models"), [cfg.experiment, runId], "experiment");
      if (existsSync(modelsDir)) throw new UsageError(`train: ${modelsDir} already exists`);
    }
    // One trainer per checkpoint folder: a second `--resume` of the same run refuses (exit 2) naming the first.
    const createdParents = makeParents(dirname(modelsDir));
    let modelsLock: Lock;
    try {
      modelsLock = Lock.acquire(lockFileFor(modelsDir), { what: `the checkpoints in ${modelsDir}` });
    } catch (err) {
      removeEmpty(createdParents);
      throw err;
    }
    try {
      const learner = learnerFromConfig(cfg, file, backend);
      // Training runs whole batches: say so when the budget is not a multiple of one.
      const plannedSteps = learner.plannedSteps(cfg.totalSteps);
      if (plannedSteps !== cfg.totalSteps) {
        console.error(
          `train: totalSteps ${cfg.totalSteps} is not a multiple of the batch (numEnvs * numSteps = ${learner.stepsPerIteration}); training ${plannedSteps} steps`,
        );
      }
      const curve: CurveRow[] = [];
      const learningRates: number[] = [];
      const agentCurve: AgentCurveRow[] = [];
      let history = false; // the checkpoint holds the learning rates and per-agent rows of its curve
      let exact = true;
      let backendChange: { from: string; to: string } | undefined;
      if (resumed) {
        exact = learner.setState(resumed.learner);
        for (const r of resumed.curve) {
          const row = { ...r };
          for (const k of CURVE_COLUMNS) if (row[k] === null) (row as Record<string, number>)[k] = NaN;
          curve.push(row);
        }
        history = resumed.learningRates?.length === resumed.curve.length;
        if (history) {
          learningRates.push(...resumed.learningRates!);
          for (const r of resumed.agentCurve ?? []) {
            const row = { ...r };
            for (const k of AGENT_CURVE_COLUMNS) if (row[k] === null) (row as Record<string, unknown>)[k] = NaN;
            agentCurve.push(row);
          }
        } else if (resumed.curve.length > 0)
          console.error(
            "train: the checkpoint predates per-agent curves and learning rates in checkpoints; agent_curves.csv and the live log start at the resume",
          );
        if (!exact)
          console.error(
            "train: the environment cannot save its state; resumed with fresh episodes (the curve continues, not bit-identically)",
          );
        const active = await initBackend({ backend: learner.config.backend });
        if (resumed.backend !== active) {
          backendChange = { from: resumed.backend, to: active };
          console.error(
            `train: the checkpoint was trained on the ${resumed.backend} backend, resuming on ${active}; the curve continues, not bit-identically (pass --backend ${resumed.backend} to keep it)`,
          );
        }
      }
      const run = RunDir.open({ experiment: cfg.experiment, out: values.out, runId, field: "experiment" });
      // Live metrics beside the (staged) run directory: <parent>/.live/<run-id>.jsonl and TensorBoard files in <parent>/.live/<run-id>/.
      const live = new LiveLog(join(dirname(run.path), ".live"), basename(run.path));
      // A resumed run's live log starts with the updates before the checkpoint, as an uninterrupted run's has them.
      if (history) for (const points of historyPoints(curve, learningRates, agentCurve)) live.append(points);

      const controller = new AbortController();
      let stoppedBy: InterruptSignal | undefined;
      const offInterrupt = onInterrupt((signal) => {
        stoppedBy = signal;
        controller.abort();
        console.error(`\ntrain: ${signal}: stopping after this update and saving a checkpoint (Ctrl-C again to quit at once)`);
      });

      const tty = process.stderr.isTTY === true;
      const bar = tty
        ? new cliProgress.SingleBar(
            {
              format: "train {bar} {percentage}% | step {value}/{total} | return {ret} | {sps} steps/s | eta {eta_formatted}",
              stream: process.stderr,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      bar?.start(plannedSteps, learner.globalStep, { ret: "-", sps: "-" });
      let lastLine = -Infinity;
      let lastCkpt: string | undefined;
      let lastCkptIteration = -1;
      const t0 = performance.now();

      const save = () => {
        const ckpt: Checkpoint = {
          format: "supplygym-checkpoint",
          version: 1,
          config: cfg,
          backend: learner.backendName ?? "unknown",
          learner: learner.getState(),
          curve,
          learningRates,
          agentCurve,
          createdAt: new Date().toISOString(),
        };
        lastCkpt = saveCheckpoint(modelsDir, ckpt, learner.policy().toJSON(), cfg.keepCheckpoints);
        lastCkptIteration = learner.iteration;
      };

      let status = "completed";
      try {
        await learner.learn(cfg.totalSteps, {
          signal: controller.signal,
          onIteration: (p: Progress) => {
            curve.push(p.row);
            learningRates.push(p.learningRate);
            agentCurve.push(...agentCurveRows(p));
            live.append(progressPoints(p));
            if (p.iteration % cfg.checkpointEvery === 0) save();
            const ret = fmt(p.row.episode_return_mean);
            const sps = fmt(p.row.steps_per_second, 0);
            if (bar) bar.update(p.globalStep, { ret, sps });
            else if (performance.now() - lastLine > 5000 || p.iteration === p.numIterations) {
              lastLine = performance.now();
              console.error(
                `train: step ${p.globalStep}/${plannedSteps} update ${p.iteration}/${p.numIterations} return ${ret} length ${fmt(p.row.episode_length_mean)} ${sps} steps/s`,
              );
            }
          },
        });
        if (controller.signal.aborted) status = "interrupted";
        if (lastCkptIteration !== learner.iteration) save();
      } catch (err) {
        bar?.stop();
        run.abort();
        throw err;
      } finally {
        live.close();
        offInterrupt();
      }
      bar?.stop();
      const seconds = (performance.now() - t0) / 1000;
      run.writeCsv("learning_curve.csv", CURVE_COLUMNS, curve as unknown as Record<string, number>[]);
      if (agentCurve.length > 0) run.writeCsv("agent_curves.csv", AGENT_CURVE_COLUMNS, agentCurve);
      learner.policy().save(run.file("policy.json"));
      run.writeJson(
        "manifest.json",
        buildManifest({
          command: `supplygym train ${argv.join(" ")}`,
          configFile: file,
          config: { ...cfg, resolved: { ...learner.config, env: cfg.env } },
          seeds: [cfg.seed],
          backend: learner.backendName,
          timings: { train: seconds },
          extra: {
            status,
            global_step: learner.globalStep,
            planned_steps: plannedSteps,
            batch_steps: learner.stepsPerIteration,
            total_steps_rounded_down: plannedSteps !== cfg.totalSteps,
            checkpoints: modelsDir,
            last_checkpoint: lastCkpt,
            resumed_from: values.resume,
            resume_exact: resumed ? exact : undefined,
            resume_backend_change: backendChange,
          },
        }),
      );
      const path = run.commit();
      learner.close();
      console.log(
        `train: ${status} at step ${learner.globalStep} on ${learner.backendName}; results in ${path}; checkpoints in ${modelsDir}`,
      );
      return status === "completed" ? 0 : signalExitCode(stoppedBy ?? "SIGINT");
    } finally {
      // A new run that failed before its first checkpoint (disk full, a bad env) leaves no empty folder.
      if (!resumed && existsSync(modelsDir) && readdirSync(modelsDir).length === 0) rmSync(modelsDir, { recursive: true });
      modelsLock.release();
      if (!existsSync(modelsDir)) removeEmpty(createdParents);
    }
  },
};
