import type { Logger } from "pino";

export type StageTimings = Record<string, number>;

export interface Stage {
  <T>(name: string, fn: () => Promise<T>): Promise<T>;
  timings: StageTimings;
}

/** Runs one named stage, logs its end (or failure) with its duration, and keeps the duration for the caller. */
export function timedStage(log: Logger): Stage {
  const timings: StageTimings = {};
  const stage = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      const value = await fn();
      timings[name] = Math.round((performance.now() - started) * 10) / 10;
      log.info({ event: "stage", stage: name, durationMs: timings[name] }, `${name} done`);
      return value;
    } catch (error) {
      timings[name] = Math.round((performance.now() - started) * 10) / 10;
      log.warn({ event: "stage-failed", stage: name, durationMs: timings[name], err: error }, `${name} failed`);
      throw error;
    }
  };
  return Object.assign(stage, { timings });
}
