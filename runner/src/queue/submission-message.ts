import { z } from "zod";

/** The SQS body the API sends (../shared/CONTRACT.md §1). Unknown fields are ignored. */
export const submissionMessageSchema = z.object({
  submissionId: z.uuid(),
  fileKey: z.string().trim().min(1),
  userId: z.string().trim().min(1),
  pitId: z.string().trim().min(1),
  createdAt: z.iso.datetime({ offset: true }),
});

export type SubmissionMessage = z.infer<typeof submissionMessageSchema>;

export type ParsedMessage =
  | { ok: true; message: SubmissionMessage }
  /** `submissionId` is kept when it could be read, so the row can still be marked ERROR. */
  | { ok: false; reason: string; submissionId?: string };

export function parseSubmissionMessage(body: string | undefined): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body ?? "");
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const parsed = submissionMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
  const id = z.uuid().safeParse((json as { submissionId?: unknown } | null)?.submissionId);
  return { ok: false, reason, submissionId: id.success ? id.data : undefined };
}
