-- A copy of the API's submissions table (../shared/CONTRACT.md §3), for local runs and tests only.
-- The API owns the real table; the runner only reads it and updates its result columns.
CREATE TABLE IF NOT EXISTS submissions (
  "id"         uuid PRIMARY KEY,
  "userId"     text        NOT NULL,
  "pitId"      text        NOT NULL,
  "fileKey"    text        NOT NULL,
  "status"     text        NOT NULL DEFAULT 'PENDING',
  "score"      numeric(6,2),
  "feedback"   jsonb,
  "logsS3Key"  text,
  "createdAt"  timestamptz NOT NULL DEFAULT now(),
  "updatedAt"  timestamptz NOT NULL DEFAULT now()
);
