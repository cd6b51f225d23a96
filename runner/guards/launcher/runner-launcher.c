/*
 * runner-launcher: starts a grading command under the runner's sandbox, in one exec.
 *
 *   runner-launcher [--cpu=S] [--as=B] [--fsize=B] [--nofile=N] [--nproc=N] [--core=B]
 *                   [--oom-score-adj=N] [--network=deny|allow] [--report] -- program [args...]
 *   runner-launcher --try-inet     (probe: reports what socket(AF_INET) gives this process)
 *
 * The runner spawns it already switched to the slot's uid (Node's spawn uid/gid). In order, it
 *   1. sets each given rlimit, soft and hard (the student cannot raise a hard limit back);
 *   2. writes oom_score_adj, so under memory pressure the kernel kills student code before the runner;
 *   3. sets no_new_privs (a setuid or file-capability binary can no longer give privileges back, and an
 *      unprivileged process may then install seccomp and Landlock);
 *   4. where the kernel has Landlock ABI 6, scopes abstract AF_UNIX sockets and signals to this run's own
 *      processes (another slot's abstract sockets, and the runner's kill helper, are out of reach);
 *   5. installs a seccomp filter: no socket family but AF_UNIX (with --network=deny), none of the system
 *      calls a grading run never needs, and no other system-call ABI than the native one;
 *   6. execs the program.
 * Any step that fails prints "runner-launcher: ..." on stderr and exits 125 before the program runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL 125

static void die(const char *what, int err) {
  fprintf(stderr, "runner-launcher: %s: %s; the command was not run\n", what, strerror(err));
  exit(FAIL);
}

/* Landlock, declared here: Debian bookworm's headers predate ABI 6 (scopes, Linux 6.12). */
struct ruleset_attr { uint64_t handled_access_fs, handled_access_net, scoped; };
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* Returns whether the scopes are in force; 0 when the kernel has no Landlock ABI 6 (older kernels, Fargate's as far as we know). */
static int scope_to_this_run(void) {
  long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
  if (abi < 6) return 0;
  struct ruleset_attr attr = { 0, 0, LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL };
  long fd = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (fd < 0) die("landlock_create_ruleset", errno);
  if (syscall(SYS_landlock_restrict_self, fd, 0) != 0) die("landlock_restrict_self", errno);
  close((int)fd);
  return 1;
}

/*
 * Refused with EPERM, as to an unprivileged process: debugging or reading other processes (ptrace,
 * process_vm_*, pidfd_getfd, kcmp), kernel attack surface no test needs (bpf, perf_event_open,
 * userfaultfd, the key store), mounts and namespaces (unshare/setns: a user namespace hands out
 * CAP_NET_ADMIN and friends over fresh kernel code), kexec and kernel modules, and privileged calls
 * that should fail anyway (defence in depth). A name this architecture lacks is skipped. personality(2)
 * stays allowed: ADDR_NO_RANDOMIZE or READ_IMPLIES_EXEC only weaken the student's own processes, which
 * run the student's code anyway, and seccomp cannot refuse them while allowing the 0xffffffff query.
 */
static const char *const refused[] = {
  "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp", "process_madvise",
  "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
  "mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsmount",
  "fsconfig", "fspick", "mount_setattr", "unshare", "setns", "chroot",
  "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
  "acct", "swapon", "swapoff", "reboot", "quotactl", "syslog", "vhangup", "iopl", "ioperm",
  "open_by_handle_at", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
  "lookup_dcookie", "nfsservctl", "uselib", "_sysctl",
};

/*
 * ENOSYS, as on a kernel without them, so libraries fall back: io_uring (a steady source of kernel bugs;
 * libuv uses the thread pool without it) and clone3, whose flags sit behind a pointer seccomp cannot
 * read (glibc then uses clone, whose flags the filter checks).
 */
static const char *const absent[] = { "io_uring_setup", "io_uring_enter", "io_uring_register", "clone3" };

static const unsigned long clone_namespaces[] = {
  CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

static void rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n, const struct scmp_arg_cmp *cmp) {
  int nr = seccomp_syscall_resolve_name(name);
  if (nr == __NR_SCMP_ERROR) die(name, EINVAL); /* unknown to this libseccomp: fail rather than leave it open */
  if (nr < 0) return;                           /* not a system call on this architecture */
  int rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
  if (rc < 0) die(name, -rc);
}

static void install_filter(int deny_network) {
  /* Allow by default: a list of what a grading run may do would break toolchains on every update. */
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!ctx) die("seccomp_init", ENOMEM);
  /*
   * Only the native ABI: on amd64 the i386 (int 0x80) and x32 entry points have other numbers and would
   * bypass every rule, so any call through them kills the process. libseccomp adds the arch check.
   */
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  /* The filter is not a Spectre boundary (nothing of another user is in this address space): keep SSB fast. */
  if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
  /* Binary tree of syscall numbers: a handful of comparisons per call instead of one per rule. */
  if (rc == 0) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc < 0) die("seccomp_attr_set", -rc);
  if (deny_network) {
    /* socket(2)'s domain is an int: any value but exactly AF_UNIX is refused, high bits included. */
    struct scmp_arg_cmp not_unix = SCMP_A0(SCMP_CMP_NE, AF_UNIX);
    rule(ctx, SCMP_ACT_ERRNO(EACCES), "socket", 1, &not_unix);
    rule(ctx, SCMP_ACT_ERRNO(EACCES), "socketpair", 1, &not_unix);
  }
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) rule(ctx, SCMP_ACT_ERRNO(EPERM), refused[i], 0, NULL);
  for (size_t i = 0; i < sizeof absent / sizeof *absent; i++) rule(ctx, SCMP_ACT_ERRNO(ENOSYS), absent[i], 0, NULL);
  for (size_t i = 0; i < sizeof clone_namespaces / sizeof *clone_namespaces; i++) {
    struct scmp_arg_cmp flag = SCMP_A0(SCMP_CMP_MASKED_EQ, clone_namespaces[i], clone_namespaces[i]);
    rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &flag);
  }
  rc = seccomp_load(ctx);
  if (rc < 0) die("seccomp_load", -rc);
  seccomp_release(ctx);
}

static void set_limit(int resource, const char *value, const char *arg) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(value, &end, 10);
  if (errno || end == value || *end || value[0] == '-') die(arg, EINVAL);
  struct rlimit limit = { (rlim_t)n, (rlim_t)n };
  if (setrlimit(resource, &limit) != 0) die(arg, errno);
}

static void set_oom_score_adj(const char *value) {
  int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) die("open /proc/self/oom_score_adj", errno);
  ssize_t len = (ssize_t)strlen(value);
  if (write(fd, value, (size_t)len) != len) die("write /proc/self/oom_score_adj", errno);
  close(fd);
}

/* The probe's second half, run through the launcher as the program: what did the filter leave us? */
static int try_inet(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  printf("inet: %s\n", fd >= 0 ? "allowed" : errno == EACCES ? "EACCES" : strerror(errno));
  int unix_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  printf("unix: %s\n", unix_fd >= 0 ? "allowed" : strerror(errno));
  return 0;
}

static const struct { const char *flag; int resource; } limits[] = {
  { "--cpu=", RLIMIT_CPU }, { "--as=", RLIMIT_AS }, { "--fsize=", RLIMIT_FSIZE },
  { "--nofile=", RLIMIT_NOFILE }, { "--nproc=", RLIMIT_NPROC }, { "--core=", RLIMIT_CORE },
};

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--try-inet") == 0) return try_inet();
  int deny_network = 1, report = 0, i = 1;
  const char *oom = NULL;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *arg = argv[i];
    size_t j = 0, n = sizeof limits / sizeof *limits;
    while (j < n && strncmp(arg, limits[j].flag, strlen(limits[j].flag)) != 0) j++;
    if (j < n) set_limit(limits[j].resource, arg + strlen(limits[j].flag), arg);
    else if (strncmp(arg, "--oom-score-adj=", 16) == 0) oom = arg + 16;
    else if (strcmp(arg, "--network=deny") == 0) deny_network = 1;
    else if (strcmp(arg, "--network=allow") == 0) deny_network = 0;
    else if (strcmp(arg, "--report") == 0) report = 1;
    else die(arg, EINVAL);
  }
  if (i + 1 >= argc) die("no program after --", EINVAL);
  if (oom) set_oom_score_adj(oom);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("PR_SET_NO_NEW_PRIVS", errno);
  int scoped = scope_to_this_run();
  install_filter(deny_network);
  if (report) {
    fprintf(stderr, "runner-launcher: seccomp on, network %s, abstract unix sockets %s\n",
            deny_network ? "deny" : "allow", scoped ? "scoped (landlock)" : "not scoped (no landlock abi 6)");
  }
  execvp(argv[i + 1], &argv[i + 1]);
  die(argv[i + 1], errno);
}
