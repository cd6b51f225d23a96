/**
 * Attack programs for test/hostile-network.test.ts, one per language. Each prints `<PREFIX> <what> <result>`
 * lines. The loopback targets are 127.0.0.1 listeners the test harness started. The task-metadata address
 * (169.254.170.2) and DNS are tried only once socket(AF_INET) has been refused in the same process: the
 * filter refuses the call whatever the address, so nothing is sent, and if the defence were broken the
 * attempt is skipped instead of reaching a real network.
 */
export interface Targets {
  listener: number;
  postgres: number;
  fauxqs: number;
}

const METADATA = "169.254.170.2";

export function pythonAttack(t: Targets, tag: string): string {
  return String.raw`import ctypes, errno, os, platform, signal, socket, subprocess, sys, time
def out(what, result): print(f"PY {what} {result}", flush=True)
def code(e): return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else type(e).__name__
refused = True
def tcp(name, host, port, family=socket.AF_INET):
    global refused
    try:
        s = socket.socket(family, socket.SOCK_STREAM); s.settimeout(2); s.connect((host, port)); s.close()
        out("tcp-" + name, "CONNECTED"); refused = False
    except OSError as e:
        out("tcp-" + name, code(e)); refused = refused and e.errno == errno.EACCES
for name, port in (("listener", ${t.listener}), ("postgres", ${t.postgres}), ("fauxqs", ${t.fauxqs})): tcp(name, "127.0.0.1", port)
tcp("listener6", "::1", ${t.listener}, socket.AF_INET6)
if refused:
    tcp("metadata", "${METADATA}", 80)
    try: socket.getaddrinfo("hostile-${tag}.invalid", 80); out("dns", "resolved")
    except OSError as e: out("dns", "failed " + code(e))
else:
    out("tcp-metadata", "SKIPPED"); out("dns", "SKIPPED")
# Creating a socket sends nothing: safe to try every family.
for name, fam, kind, proto in (("inet-raw", socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
        ("inet-ping", socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP), ("inet6-udp", socket.AF_INET6, socket.SOCK_DGRAM, 0),
        ("packet", socket.AF_PACKET, socket.SOCK_RAW, 0), ("netlink", socket.AF_NETLINK, socket.SOCK_RAW, 0),
        ("vsock", 40, socket.SOCK_STREAM, 0), ("alg", 38, socket.SOCK_SEQPACKET, 0)):
    try: socket.socket(fam, kind, proto).close(); out("sock-" + name, "CREATED")
    except OSError as e: out("sock-" + name, code(e))
try: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close(); out("unix", "ok")
except OSError as e: out("unix", code(e))
try: [s.close() for s in socket.socketpair()]; out("socketpair", "ok")
except OSError as e: out("socketpair", code(e))
libc = ctypes.CDLL(None, use_errno=True)
def call(what, nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    out(what, "ALLOWED" if r >= 0 else errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()))
    return r
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
child = subprocess.Popen(["sleep", "30"])
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
ctypes.set_errno(0)
if libc.ptrace(PTRACE_ATTACH, child.pid, None, None) == 0:
    out("ptrace-child", "ATTACHED"); libc.ptrace(PTRACE_DETACH, child.pid, None, None)
else:
    out("ptrace-child", errno.errorcode.get(ctypes.get_errno()))
sibling = subprocess.run([sys.executable, "-c", f"""import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
r = libc.ptrace(16, {child.pid}, None, None)
print("ATTACHED" if r == 0 else errno.errorcode.get(ctypes.get_errno()))
if r == 0: libc.ptrace(17, {child.pid}, None, None)"""], capture_output=True, text=True)
out("ptrace-sibling", sibling.stdout.strip() or sibling.stderr.strip()[-80:])
class iovec(ctypes.Structure): _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
buf = ctypes.create_string_buffer(8); local = iovec(ctypes.addressof(buf), 8); remote = iovec(0x400000, 8)
arm = platform.machine() in ("aarch64", "arm64")
NR = {"process_vm_readv": (270, 310), "unshare": (97, 272), "keyctl": (219, 250), "bpf": (280, 321),
      "perf_event_open": (241, 298), "mount": (40, 165), "io_uring_setup": (425, 425)}
nr = lambda name: NR[name][0 if arm else 1]
call("process_vm_readv", nr("process_vm_readv"), child.pid, ctypes.addressof(local), 1, ctypes.addressof(remote), 1, 0)
child.kill(); child.wait()
call("unshare-user", nr("unshare"), 0x10000000)
call("keyctl", nr("keyctl"), 0, -3)
call("bpf", nr("bpf"), 0, 0, 0)
call("perf_event_open", nr("perf_event_open"), 0, 0, -1, -1, 0)
call("mount", nr("mount"), 0, 0, 0, 0, 0)
call("io_uring_setup", nr("io_uring_setup"), 1, 0)
if platform.machine() == "x86_64":
    # socket() through the x32 ABI (number | 0x40000000): another ABI must not slip past the filter.
    x32 = subprocess.run([sys.executable, "-c", "import ctypes; print(ctypes.CDLL(None).syscall(0x40000000 + 41, 2, 1, 0))"], capture_output=True)
    out("x32-socket", "killed SIGSYS" if x32.returncode == -signal.SIGSYS else f"returned {x32.returncode} {x32.stdout!r}")
`;
}

export function nodeAttack(t: Targets, tag: string): string {
  return String.raw`const net = require("node:net"), http = require("node:http"), dns = require("node:dns"), dgram = require("node:dgram");
const out = (what, result) => console.log("JS " + what + " " + result);
const tcp = (name, host, port) => new Promise((resolve) => {
  const socket = net.connect({ host, port, timeout: 2000 });
  socket.on("connect", () => { out("tcp-" + name, "CONNECTED"); socket.destroy(); resolve(false); });
  socket.on("timeout", () => { out("tcp-" + name, "TIMEOUT"); socket.destroy(); resolve(false); });
  socket.on("error", (e) => { out("tcp-" + name, e.code); resolve(e.code === "EACCES"); });
});
(async () => {
  let refused = true;
  for (const [name, port] of [["listener", ${t.listener}], ["postgres", ${t.postgres}], ["fauxqs", ${t.fauxqs}]]) {
    refused = (await tcp(name, "127.0.0.1", port)) && refused;
  }
  await new Promise((resolve) => http.get("http://127.0.0.1:${t.fauxqs}/", (r) => { out("http-fauxqs", "STATUS " + r.statusCode); r.resume(); resolve(); })
    .on("error", (e) => { out("http-fauxqs", e.code); resolve(); }));
  try {
    const udp = dgram.createSocket("udp4");
    await new Promise((resolve) => { udp.on("error", (e) => { out("udp", e.code); resolve(); }); udp.bind(0, "127.0.0.1", () => { out("udp", "BOUND"); udp.close(); resolve(); }); });
  } catch (e) { out("udp", e.code); }
  if (!refused) { out("tcp-metadata", "SKIPPED"); out("dns-lookup", "SKIPPED"); out("dns-resolve", "SKIPPED"); return; }
  await tcp("metadata", "${METADATA}", 80);
  const name = "hostile-${tag}.invalid";
  await new Promise((resolve) => dns.lookup(name, (e, a) => { out("dns-lookup", e ? "failed " + e.code : "resolved " + a); resolve(); }));
  await new Promise((resolve) => dns.resolve4(name, (e, a) => { out("dns-resolve", e ? "failed " + e.code : "resolved " + a); resolve(); }));
})();
`;
}

export function javaAttack(t: Targets, tag: string): string {
  return String.raw`import java.net.*;

public class Attack {
  static void out(String what, String result) { System.out.println("JAVA " + what + " " + result); }

  static boolean tcp(String name, String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2000);
      out("tcp-" + name, "CONNECTED");
      return false;
    } catch (Exception e) {
      out("tcp-" + name, e.getClass().getSimpleName() + ": " + e.getMessage());
      return String.valueOf(e.getMessage()).contains("Permission denied");
    }
  }

  public static void main(String[] args) {
    boolean refused = tcp("listener", "127.0.0.1", ${t.listener});
    refused &= tcp("postgres", "127.0.0.1", ${t.postgres});
    refused &= tcp("fauxqs", "127.0.0.1", ${t.fauxqs});
    if (!refused) { out("tcp-metadata", "SKIPPED"); out("dns", "SKIPPED"); return; }
    tcp("metadata", "${METADATA}", 80);
    try {
      out("dns", "resolved " + InetAddress.getByName("hostile-${tag}.invalid"));
    } catch (Exception e) {
      out("dns", "failed " + e.getClass().getSimpleName());
    }
  }
}
`;
}
