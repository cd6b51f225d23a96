import type { SelectFiles } from "../extract/extract-zip";
import type { LoadedPit } from "../pit-config/pit-config.service";

/** PLACEHOLDER until the allow-list lands: keeps every file. */
export function selectStudentFiles(_pit: LoadedPit): SelectFiles {
  return (files) => ({ studentFiles: [...files].sort(), ignored: [] });
}
