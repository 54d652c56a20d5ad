// Child processes for the benchmark: each runs in its own process group (detached), pinned to a
// core with taskset when there is one to spare, and every group is killed on the way out: normal
// end, error, Ctrl-C or SIGTERM.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

const live = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the whole group: the server and anything it started
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Kills every group still alive. Synchronous, so it also works from an 'exit' handler. */
export function killAll(): void {
  for (const child of live) killGroup(child);
  live.clear();
}

let installed = false;
/** Makes sure no child outlives this process, whatever way it ends. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping every child process`);
      killAll();
      process.exit(130);
    });
  }
  process.on("uncaughtException", (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  });
  process.on("unhandledRejection", (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  });
}

const hasTaskset = ((): boolean => {
  if (process.platform !== "linux") return false;
  const r = spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
  return r.status === 0;
})();

/** "core 0 for the server, core 1 for the load", when taskset exists and there are 2+ cores. */
export const pinning = { available: hasTaskset && availableParallelism() >= 2, server: "0", load: "1" };

export interface Spawned {
  child: ChildProcess;
  /** The tail of stderr (and stdout when piped), for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<number | string>;
  /** SIGKILL to the whole group; resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnGroup(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; core?: string; stdout?: "pipe" | "ignore"; stdin?: "ignore" | "pipe" } = {},
): Spawned {
  const pinned = !!opts.core && pinning.available;
  const [cmd, argv] = pinned ? ["taskset", ["-c", opts.core!, command, ...args]] : [command, args];
  const stdio: StdioOptions = [opts.stdin ?? "ignore", opts.stdout ?? "pipe", "pipe"];
  const child = spawn(cmd, argv, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio });
  live.add(child);
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-8000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve(code ?? signal ?? -1);
    });
    child.once("error", (err) => {
      live.delete(child);
      tail += `\nspawn error: ${err.message}`;
      resolve(-1);
    });
  });
  return {
    child,
    output: () => tail,
    exited,
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, signal);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) killGroup(child, "SIGKILL");
    },
  };
}

/** Resident set size (bytes) of every process in a process group, from /proc. */
/** Sums `of(pid, statFields)` over the processes of group `pgid` (NaN without /proc). */
function sumOverGroup(pgid: number, of: (pid: string, fields: string[]) => number): number {
  if (!existsSync("/proc")) return NaN;
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ... — comm may contain spaces: parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      total += of(entry, fields);
    } catch {
      /* the process went away */
    }
  }
  return total;
}

export function groupRss(pgid: number): number {
  return sumOverGroup(pgid, (pid) => {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  });
}

const CLK_TCK = ((): number => {
  const r = process.platform === "linux" ? spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }) : undefined;
  const n = Number(r?.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** CPU seconds (user + system) the processes of group `pgid` have used so far. */
export function groupCpuSeconds(pgid: number): number {
  // utime and stime: fields 14 and 15 of /proc/<pid>/stat, 12th and 13th after the comm.
  return sumOverGroup(pgid, (_pid, fields) => (Number(fields[11]) + Number(fields[12])) / CLK_TCK);
}
