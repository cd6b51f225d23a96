import { readFile, writeFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { RUNNER_ROOT } from "../config";

/** Where `npm run local` leaves the running stack's variables for `npm run submit` to find. */
export const LOCAL_DIR = path.join(RUNNER_ROOT, ".local");
export const STACK_FILE = path.join(LOCAL_DIR, "stack.json");

export async function writeStackFile(env: Record<string, string>): Promise<void> {
  await mkdir(LOCAL_DIR, { recursive: true });
  await writeFile(STACK_FILE, JSON.stringify({ pid: process.pid, env }, null, 2));
}

export async function removeStackFile(): Promise<void> {
  await rm(STACK_FILE, { force: true });
}

export async function readStackFile(): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(STACK_FILE, "utf8");
  } catch {
    throw new Error(`No local stack is running (${STACK_FILE} not found). Start one with: npm run local`);
  }
  const { pid, env } = JSON.parse(text) as { pid: number; env: Record<string, string> };
  try {
    process.kill(pid, 0);
  } catch {
    throw new Error(`The local stack that wrote ${STACK_FILE} (pid ${pid}) is gone. Start one with: npm run local`);
  }
  return env;
}
