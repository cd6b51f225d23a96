#!/usr/bin/env node
// Container health check: healthy while the runner's polling loop keeps touching its health file.
// Plain Node, no dependencies, so it runs in the image without ts-node or node_modules.
// Usage: node scripts/healthcheck.js [maxAgeSeconds]
"use strict";

const fs = require("node:fs");

const file = process.env.RUNNER_HEALTH_FILE || "/tmp/runner-health";
const maxAgeSeconds = Number(process.argv[2] || process.env.RUNNER_HEALTH_MAX_AGE_SECONDS || 90);

if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) {
  console.error(`healthcheck: invalid max age ${JSON.stringify(process.argv[2] || process.env.RUNNER_HEALTH_MAX_AGE_SECONDS)}`);
  process.exit(2);
}

let ageSeconds;
try {
  ageSeconds = (Date.now() - fs.statSync(file).mtimeMs) / 1000;
} catch (error) {
  console.error(`healthcheck: unhealthy, ${file} cannot be read (${error.code || error.message})`);
  process.exit(1);
}

if (ageSeconds > maxAgeSeconds) {
  console.error(`healthcheck: unhealthy, ${file} is ${Math.round(ageSeconds)} s old (limit ${maxAgeSeconds} s)`);
  process.exit(1);
}
console.log(`healthcheck: ok, loop turned ${Math.round(ageSeconds)} s ago`);
