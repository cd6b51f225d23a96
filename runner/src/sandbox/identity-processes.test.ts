import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { KernelThreads, scanProcesses } from "./identity-processes";

describe("KernelThreads", () => {
  it("remembers kernel threads by pid and /proc inode, so a reused pid is read again", () => {
    const threads = new KernelThreads();
    threads.note(3, 100, "Name:\tpool_workqueue\nPPid:\t2\nKthread:\t1\n");
    threads.note(40, 200, "Name:\tnode\nPPid:\t1\nKthread:\t0\nVmSize:\t 1000 kB\n");
    expect(threads.has(3, 100)).toBe(true);
    expect(threads.has(3, 101)).toBe(false);
    expect(threads.has(40, 200)).toBe(false);
  });

  it("falls back to a memory-less child of kthreadd on kernels without the Kthread line", () => {
    const threads = new KernelThreads();
    threads.note(5, 1, "Name:\tkworker\nPPid:\t2\n");
    threads.note(6, 2, "Name:\tzombie\nState:\tZ\nPPid:\t1\n");
    expect(threads.has(5, 1)).toBe(true);
    expect(threads.has(6, 2)).toBe(false);
  });
});

describe("scanProcesses", () => {
  it("still finds this user's processes when kernel threads are skipped", async () => {
    const uid = process.getuid?.() ?? 0;
    const child = spawn("sleep", ["5"], { stdio: "ignore" });
    try {
      const threads = new KernelThreads();
      for (let round = 0; round < 2; round += 1) {
        const found = scanProcesses([uid], threads).get(uid)!;
        expect(found.live).toContain(process.pid);
        expect(found.live).toContain(child.pid);
      }
    } finally {
      child.kill("SIGKILL");
    }
  });
});
