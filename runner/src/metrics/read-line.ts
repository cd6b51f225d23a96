import { z } from "zod";

/** The members of a submission metric line that a reader of the runner's output needs (see records.ts). */
const submissionLine = z.object({
  event: z.literal("metrics"),
  metricSet: z.literal("submission"),
  submissionId: z.string(),
  StudentLatency: z.number(),
  QueueWait: z.number().optional(),
});

export interface SubmissionLatency {
  submissionId: string;
  studentLatencyMs: number;
  queueWaitMs?: number;
}

/**
 * The latency the runner reported for one submission, from one line of its output; undefined for any other line
 * (not JSON, another event, a record without latency). Lets `npm run local` show the number the metric carries.
 */
export function readSubmissionLatency(line: string): SubmissionLatency | undefined {
  if (!line.includes('"metricSet":"submission"')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = submissionLine.safeParse(json);
  if (!parsed.success) return undefined;
  const { submissionId, StudentLatency, QueueWait } = parsed.data;
  return { submissionId, studentLatencyMs: StudentLatency, queueWaitMs: QueueWait };
}
