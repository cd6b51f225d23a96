import path from "node:path";
import { createPolicy } from "../policy";
import type { GuardInput } from "../runtime-guard";
import { guardFileList } from "../guard-files";
import { PYTHON_DEFAULT_DENY } from "./python-rules";

/** Modules whose import the guard refuses from a student frame, when the policy denies them. */
const GUARDED_IMPORTS = [
  "_pytest", "pytest", "pluggy", "py", "unittest", "runner_code_policy_pytest", "sitecustomize", "usercustomize", "importlib", "runpy", "inspect", "gc", "ctypes", "_ctypes", "code",
  "codeop", "pdb", "subprocess", "_posixsubprocess", "pty", "socket", "_socket", "threading", "_thread",
  "multiprocessing", "concurrent", "pickle", "_pickle", "marshal", "shelve", "signal", "_signal", "atexit", "shutil",
  "tempfile", "builtins", "__main__", "posix",
];

/** Audit events (checked on Python 3.11) → the API whose denial makes the guard refuse them. */
const GUARDED_EVENTS: Record<string, string> = {
  open: "open",
  "subprocess.Popen": "subprocess",
  "os.system": "os.system",
  "os.exec": "os.execv",
  "os.posix_spawn": "os.posix_spawn",
  "os.spawn": "os.spawnv",
  "os.fork": "os.fork",
  "os.forkpty": "os.forkpty",
  "pty.spawn": "pty",
  "os.kill": "os.kill",
  "os.killpg": "os.killpg",
  "signal.pthread_kill": "signal",
  "socket.__new__": "socket",
  "ctypes.dlopen": "ctypes",
  "ctypes.dlsym": "ctypes",
  "ctypes.cdata": "ctypes",
  "ctypes.call_function": "ctypes",
  "ctypes.addressof": "ctypes",
  "ctypes.string_at": "ctypes",
  "sys._getframe": "sys._getframe",
  "sys._current_frames": "sys._current_frames",
  "gc.get_objects": "gc",
  "gc.get_referrers": "gc",
  "gc.get_referents": "gc",
  "sys.settrace": "sys.settrace",
  "sys.setprofile": "sys.setprofile",
  "sys.addaudithook": "sys.addaudithook",
  exec: "exec",
  compile: "compile",
  "code.__new__": "types.CodeType",
  "function.__new__": "types.FunctionType",
  // Raised for tb_frame, gi_frame, cr_frame, __code__...: the attributes that lead to frames and code.
  "object.__getattr__": "tb_frame",
  // Raised when a class's special attributes or a function's __code__ change: refused on pytest's classes.
  "object.__setattr__": "__code__",
  "os.remove": "os.remove",
  "os.rename": "os.rename",
  "os.rmdir": "os.rmdir",
  "os.mkdir": "os.mkdir",
  "os.chmod": "os.chmod",
  "os.chown": "os.chown",
  "os.link": "os.link",
  "os.symlink": "os.symlink",
  "os.truncate": "os.truncate",
  "os.utime": "os.utime",
  "shutil.rmtree": "shutil",
  "shutil.copyfile": "shutil",
  "shutil.move": "shutil",
};

export const PYTHON_GUARD_PLUGIN = "runner_code_policy_pytest";

/**
 * The only files whose test functions the plugin lets run (workspace-relative: the template is laid at the root).
 * Left out (the plugin then deselects nothing) for a template whose list would crowd the environment.
 */
function templateTestFiles(templateFiles: readonly string[]): Record<string, string> {
  const list = JSON.stringify(templateFiles.filter((f) => f.endsWith(".py")));
  return list.length <= 64 * 1024 ? { RUNNER_GUARD_TEMPLATE_FILES: list } : {};
}

/**
 * Python: guards/python first on PYTHONPATH (its sitecustomize.py runs at interpreter start, before pytest and
 * the student's modules; a PYTHONPATH the PIT sets follows it) and the runner's pytest plugin in PYTEST_PLUGINS,
 * told the template's .py files (RUNNER_GUARD_TEMPLATE_FILES): only tests defined in them are run.
 */
export function pythonGuardEnv(input: GuardInput): Record<string, string> {
  const policy = createPolicy(PYTHON_DEFAULT_DENY, input.pit.config.codePolicy);
  const denied = (api: string) => policy.deniedBy(api) !== undefined;
  const guardPolicy = {
    imports: GUARDED_IMPORTS.filter(denied),
    events: Object.entries(GUARDED_EVENTS).filter(([, api]) => denied(api)).map(([event]) => event),
    exit: denied("os._exit"),
  };
  const own = path.join(input.guardsDir, "python");
  const plugins = input.env.PYTEST_PLUGINS;
  return {
    PYTHONPATH: input.env.PYTHONPATH ? `${own}:${input.env.PYTHONPATH}` : own,
    PYTEST_PLUGINS: plugins ? `${PYTHON_GUARD_PLUGIN},${plugins}` : PYTHON_GUARD_PLUGIN,
    RUNNER_GUARD_POLICY: JSON.stringify(guardPolicy),
    ...guardFileList(input.pit, input.studentFiles, [".py"], input.templateFiles),
    ...templateTestFiles(input.templateFiles),
  };
}
