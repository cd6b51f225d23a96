import type { Pool } from "pg";
import { DatabaseError } from "../errors/runner-error";
import type { Feedback, FinalStatus } from "../grading/feedback";

export interface SubmissionResult {
  status: FinalStatus;
  score: number;
  feedback: Feedback;
  logsS3Key: string | null;
}

/** What claiming a row found: ours to grade, already final (a redelivery), or no such row. */
export type ClaimOutcome = "claimed" | "final" | "missing";

const FINAL = "('DONE', 'ERROR')";

async function query<T>(what: string, submissionId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new DatabaseError(`Database ${what} failed for submission ${submissionId}: ${(error as Error).message}`, {
      cause: error,
      submissionId,
    });
  }
}

/** The runner's only access to the API's `submissions` table: it reads status and writes the result columns. */
export class SubmissionRepository {
  constructor(private readonly pool: Pool) {}

  /** Marks the row RUNNING unless it is already final; a RUNNING row is re-claimable because its runner may have died. */
  async claim(submissionId: string): Promise<ClaimOutcome> {
    return query("claim", submissionId, async () => {
      const claimed = await this.pool.query(
        `UPDATE submissions SET status = 'RUNNING', "updatedAt" = now()
          WHERE id = $1 AND status NOT IN ${FINAL} RETURNING id`,
        [submissionId],
      );
      if (claimed.rowCount === 1) return "claimed";
      const existing = await this.pool.query(`SELECT status FROM submissions WHERE id = $1`, [submissionId]);
      return existing.rowCount === 1 ? "final" : "missing";
    });
  }

  /**
   * Writes the final result. The guard on status makes the first final write win: a second runner
   * grading the same submission gets `false` and must not report it as recorded.
   */
  async updateSubmissionResult(submissionId: string, result: SubmissionResult): Promise<boolean> {
    return query("update", submissionId, async () => {
      const updated = await this.pool.query(
        `UPDATE submissions
            SET status = $2, score = $3, feedback = $4::jsonb, "logsS3Key" = $5, "updatedAt" = now()
          WHERE id = $1 AND status NOT IN ${FINAL}`,
        [submissionId, result.status, result.score, JSON.stringify(result.feedback), result.logsS3Key],
      );
      return updated.rowCount === 1;
    });
  }
}
