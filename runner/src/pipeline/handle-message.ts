import { errorFeedback } from "../grading/feedback";
import type { Disposition, MessageHandler, PoisonHandler } from "../queue/sqs-consumer";
import type { SlotPool } from "../sandbox/slot-pool";
import { processSubmission, type PipelineDeps, type ProcessOptions } from "./process-submission";

/**
 * Binds the pipeline to the consumer. A message is deleted once its submission has a final row
 * (or never will); when even an ERROR could not be recorded, the throw leaves it on the queue.
 */
export function createMessageHandlers(
  deps: PipelineDeps,
  options: ProcessOptions = {},
  slots?: SlotPool,
): { handle: MessageHandler; onPoison: PoisonHandler } {
  const handle: MessageHandler = async (message, { log }): Promise<Disposition> => {
    const outcome = slots
      ? await slots.with((slot) => processSubmission(message, deps, log.child({ slot }), { ...options, slot }))
      : await processSubmission(message, deps, log, options);
    if (outcome.kind === "skipped") log.info({ event: "skipped", reason: outcome.reason }, "nothing to record");
    return { action: "delete" };
  };

  const onPoison: PoisonHandler = async (reason, submissionId, { log }): Promise<Disposition> => {
    log.error({ event: "poison", reason }, "invalid message body; removing it from the queue");
    if (submissionId) {
      // The row can still end: better an ERROR the student sees than a PENDING forever.
      const failed = errorFeedback("internal_error", "The grader received an invalid request for this submission.", "", 0);
      const recorded = await deps.submissions.updateSubmissionResult(submissionId, { ...failed, logsS3Key: null });
      log.info({ event: recorded ? "recorded" : "skipped", status: "ERROR" }, "poison message's row handled");
    }
    return { action: "delete" };
  };

  return { handle, onPoison };
}
