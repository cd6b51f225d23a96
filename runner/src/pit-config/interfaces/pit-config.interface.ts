import type { z } from "zod";
import type { pitConfigSchema } from "../pit-config.schema";

/** Inferred from the zod schema, so the type and the validation can never drift apart. */
export type PitConfig = z.infer<typeof pitConfigSchema>;
