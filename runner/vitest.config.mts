import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "bench/**/*.test.ts"],
    // Fake secrets in the workers' environment, for the hostile corpus to try to steal.
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files each start their own fauxqs + PostgreSQL; two at a time fits 2 cores.
    maxWorkers: 2,
  },
});
