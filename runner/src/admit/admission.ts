export interface IgnoredFile {
  path: string;
  /** Plain words for the student: why this file was not used. */
  reason: string;
}

export interface Admission {
  /** The files kept from the submission, relative to its root (posix), sorted. */
  studentFiles: string[];
  /** Every file dropped, with why; the feedback caps the list. */
  ignored: IgnoredFile[];
}
