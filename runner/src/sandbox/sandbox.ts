import { chmodSync, lchownSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import { RunnerError } from "../errors/runner-error";
import type { Launch } from "../execute/run-command";
import { chownTree, reclaimTree } from "./handover";
import { commandArgv, detectHostTools, limitsBy, resolveMode, SandboxUnavailableError, type HostTools, type ResolvedMode } from "./host-tools";
import { KernelThreads, killAllOf, scanProcesses, type Identity, type UidProcesses } from "./identity-processes";
import { Pacer } from "../files/pacer";
import type { SandboxMetrics } from "../metrics/emitter";
import { removeTrees } from "../files/remove-tree";
import type { NetworkPolicy, SandboxSettings } from "./sandbox-settings";
import { sweepSharedTemp } from "./shared-temp";

export { limitArgs, SandboxUnavailableError, type HostTools } from "./host-tools";

export interface SandboxPaths {
  workspace: string;
  /** The submission's temp folder (download, home, tmp); only traversable by the sandbox user. */
  runTmpDir: string;
  /** Folders the test process owns besides its workspace (HOME, TMPDIR). */
  privateDirs: string[];
}

/** Uids each slot may use, so a uid still holding unreaped zombies is skipped rather than starved of processes. */
export const UIDS_PER_SLOT = 8;

/**
 * How a submission's commands run: as which uid, under which limits, and how everything they started is
 * killed and removed afterwards. One instance per runner; the slot (0..concurrency-1) picks the uid.
 */
export class Sandbox {
  private constructor(
    private readonly settings: SandboxSettings,
    private readonly slots: number,
    private readonly tools: HostTools,
    readonly mode: ResolvedMode,
    private readonly metrics?: SandboxMetrics,
  ) {}

  /** The identity and folders of each busy slot's current submission, and what its last kill left. */
  private readonly current = new Map<number, { identity: Identity; paths: SandboxPaths; lastKill?: UidProcesses }>();
  /**
   * Uids this runner saw empty (no process, no zombie) at their last cleanup. Only the runner starts processes
   * as these uids, so they are still empty: picking one needs no /proc scan.
   */
  private readonly knownEmpty = new Set<number>();
  private readonly kernelThreads = new KernelThreads();
  private warnedZombies = false;

  /**
   * Resolves `auto` against what the host allows; `uid` and `bwrap` without the means to switch users, or without
   * a launcher that installs its filter, fail startup. `auto` then falls back, with a `sandbox-weak` warning.
   */
  static create(
    settings: SandboxSettings,
    slots: number,
    log: Logger,
    tools: HostTools = detectHostTools(settings),
    metrics?: SandboxMetrics,
  ): Sandbox {
    const mode = resolveMode(settings, tools);
    if (mode === "none") {
      log.warn(
        { event: "sandbox-weak", requested: settings.mode },
        "student code runs as the runner's own user: it can read the runner's environment and files and other " +
          "submissions' workspaces; only the process group is killed at the end. Use RUNNER_SANDBOX=uid in production.",
      );
    }
    const { launcher } = tools;
    if (!launcher) {
      log.warn(
        { event: "sandbox-weak", requested: settings.mode, launcher: tools.launcherProblem },
        "no sandbox launcher: student code can open network connections (database, metadata endpoint, other tasks) " +
          "and use ptrace, bpf, io_uring and namespaces. Build guards/launcher (make) or set RUNNER_SANDBOX=uid to require it.",
      );
    }
    if (!launcher && !tools.prlimit && !tools.shellLimits) {
      log.warn({ event: "sandbox-no-limits" }, "neither prlimit nor /bin/sh's ulimit can set limits: no CPU, memory, file or process limits");
    }
    const fields = {
      event: "sandbox",
      mode,
      uidBase: settings.uidBase,
      limits: settings.limits,
      limitsBy: limitsBy(mode, tools),
      launcher: launcher?.path,
      network: launcher ? settings.network : "allow",
      // Landlock ABI 6: abstract AF_UNIX sockets and signals reach only the run's own processes.
      abstractUnixScoped: launcher?.scoped ?? false,
    };
    log.info(fields, `sandbox mode ${mode}`);
    return new Sandbox(settings, slots, tools, mode, metrics);
  }

  private readonly traversable = new Set<string>();

  /** A folder above the workspace without o+x would lock the sandbox user out; say so instead of failing obscurely. */
  private checkTraversable(dir: string): void {
    if (this.traversable.has(dir)) return;
    for (let current = dir; ; current = path.dirname(current)) {
      if ((statSync(current).mode & 0o001) === 0) {
        throw new SandboxUnavailableError(`sandbox users cannot traverse ${current} (needs o+x); fix the folder's mode`);
      }
      if (current === path.dirname(current)) break;
    }
    this.traversable.add(dir);
  }

  /** Slot s owns uids base+s, base+s+slots, base+s+2*slots...: never shared with another slot. */
  uidsOf(slot: number): number[] {
    return Array.from({ length: UIDS_PER_SLOT }, (_, i) => this.settings.uidBase + slot + i * this.slots);
  }

  /**
   * The slot's first uid with no process at all. Killed orphans are reparented to PID 1; when PID 1 does not reap
   * (no init in the container), their zombies keep counting against that uid's process limit.
   */
  private async pickIdentity(slot: number, log: Logger): Promise<Identity> {
    const uids = this.uidsOf(slot);
    const known = uids.find((uid) => this.knownEmpty.has(uid));
    if (known !== undefined) {
      this.knownEmpty.delete(known);
      return { uid: known, gid: known };
    }
    const scan = scanProcesses(uids, this.kernelThreads);
    for (const uid of uids) {
      const { live, zombies } = scan.get(uid)!;
      if (live.length === 0 && zombies.length === 0) return { uid, gid: uid };
    }
    log.error({ event: "sandbox-uids-exhausted", uids }, "every sandbox uid of this slot still has processes or zombies");
    return { uid: uids[0]!, gid: uids[0]! };
  }

  /** Picks the slot's uid, hands it the workspace and private folders, and closes the parents to other slots. */
  async enter(slot: number, paths: SandboxPaths, log: Logger): Promise<void> {
    if (this.mode === "none") return;
    const identity = await this.pickIdentity(slot, log);
    this.current.set(slot, { identity, paths });
    // Small synchronous calls in paced slices (see Pacer): the tree is the extracted submission plus the template.
    const pacer = new Pacer();
    // 0711 parents: a slot can reach its own folder by name but cannot list the others' names.
    for (const parent of new Set([path.dirname(paths.workspace), path.dirname(paths.runTmpDir)])) {
      mkdirSync(parent, { recursive: true });
      chmodSync(parent, 0o711);
      this.checkTraversable(parent);
    }
    chmodSync(paths.runTmpDir, 0o711);
    for (const entry of readdirSync(paths.runTmpDir, { withFileTypes: true })) {
      // The downloaded ZIP and other runner files stay unreadable; only the private folders are handed over.
      if (entry.isFile()) chmodSync(path.join(paths.runTmpDir, entry.name), 0o600);
    }
    const runnerGid = process.getgid?.() ?? 0;
    for (const dir of [paths.workspace, ...paths.privateDirs]) {
      // 0710 with the runner's group: the spawn chdirs into the workspace before it switches uid, which a
      // runner without CAP_DAC_OVERRIDE could not do in a 0700 folder. chmod while still the owner.
      chmodSync(dir, 0o710);
      await chownTree(dir, identity, pacer);
      lchownSync(dir, identity.uid, runnerGid);
    }
  }

  /**
   * After the run, when no process of the slot is left: the runner takes the workspace back, so it can read
   * the test reports whatever owner and modes the student's code left on them.
   */
  async reclaim(slot: number, workspace: string): Promise<void> {
    const entered = this.current.get(slot);
    if (!entered) return;
    // The walk chmods what it finds as the runner (root on a task): a student process still alive could swap a
    // folder for a symlink between the listing and the chmod and aim it at any file. A process that got
    // SIGKILL never runs user code again, so only a live one after the sweep is a risk.
    if (!entered.lastKill || entered.lastKill.live.length > 0) {
      entered.lastKill = await killAllOf(entered.identity, this.kernelThreads);
      if (entered.lastKill.live.length > 0) {
        throw new RunnerError(`processes of uid ${entered.identity.uid} survived the kill: ${entered.lastKill.live.join(", ")}`, {
          kind: "transient",
          outcome: "internal_error",
          studentMessage: "Grading could not finish safely. Your submission will be graded again.",
        });
      }
    }
    await reclaimTree(workspace, { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 }, new Pacer());
  }

  /**
   * The wrapper and identity for runCommand; `killAll` reaches processes that escaped the process group.
   * `network` is the PIT's own policy; without one, RUNNER_SANDBOX_NETWORK's.
   */
  launch(slot: number, options: { network?: NetworkPolicy } = {}): Launch {
    const entered = this.current.get(slot);
    const identity = entered?.identity;
    // Never fall back to the runner's own uid silently: that would hand the student the runner's rights.
    if (this.mode !== "none" && !entered) throw new Error(`sandbox slot ${slot} was not entered before launch`);
    const shape = {
      mode: this.mode,
      limits: this.settings.limits,
      perRunUid: !!identity,
      network: options.network ?? this.settings.network,
      bwrap: entered && { workspace: entered.paths.workspace, writable: entered.paths.privateDirs, readOnly: [this.settings.guardsDir] },
    };
    const killAll = async () => {
      if (!entered) return;
      entered.lastKill = await killAllOf(entered.identity, this.kernelThreads);
    };
    return {
      wrap: (command) => {
        const argv = commandArgv(this.tools, shape, command);
        return { file: argv[0]!, args: argv.slice(1) };
      },
      uid: identity?.uid,
      gid: identity?.gid,
      killAll: identity ? killAll : undefined,
    };
  }

  /**
   * After every submission, whatever happened: no process of the slot survives, nothing it left in the shared
   * temp folders stays, and the given trees are gone even if the student locked them with chmod 000.
   */
  async cleanup(slot: number, trees: string[], log: Logger): Promise<void> {
    const entered = this.current.get(slot);
    this.current.delete(slot);
    const failures: unknown[] = [];
    if (entered) {
      const { identity } = entered;
      // The run's own exit kill already swept the uid and nothing has run as it since; otherwise sweep now.
      const last = entered.lastKill;
      const left = last && last.live.length === 0 ? last : await killAllOf(identity, this.kernelThreads);
      if (left.live.length > 0) {
        // Removing, as the runner, files a live student process can still rename would let it aim the runner's
        // chmod, unlink or rename at any file through a swapped-in symlink: leave them, and the uid, alone.
        log.error(
          { event: "sandbox-survivors", uid: identity.uid, pids: left.live, leftInPlace: trees },
          "processes survived the kill; the shared temp folders and the submission's folders are left as they are",
        );
        this.metrics?.sandboxLeftovers(log, { uid: identity.uid, survivors: left.live.length });
        return;
      }
      // Counted at every cleanup (the warning below is said once per runner): a steady count means PID 1 never reaps.
      if (left.zombies.length > 0) this.metrics?.sandboxLeftovers(log, { uid: identity.uid, zombies: left.zombies.length });
      if (!this.warnedZombies && left.zombies.length > 0) {
        this.warnedZombies = true;
        log.warn(
          { event: "sandbox-zombies", uid: identity.uid },
          "killed processes stay as zombies: PID 1 does not reap them (enable initProcessEnabled or run under tini)",
        );
      }
      try {
        const swept = await sweepSharedTemp(identity.uid);
        if (swept.length > 0) {
          // A student can leave any number of entries there: the log line names a few.
          log.info({ event: "sandbox-swept", count: swept.length, paths: swept.slice(0, 20) }, "removed files left in shared temp folders");
        }
      } catch (error) {
        failures.push(error);
      }
      if (left.zombies.length === 0) this.knownEmpty.add(identity.uid);
    }
    // The submission's own folders go whatever happened in the shared ones.
    await removeTrees(trees).catch((error: unknown) => failures.push(error));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, "sandbox cleanup failed");
  }
}
