/**
 * The default deny list for Python solutions (PIT-CONFIGS.md "What solution code may use"). Entries are API names
 * or prefixes at a `.` boundary, matched by policy.ts; the analyser (python-analyser-source.ts) reports every API a file
 * uses under these names: modules by their dotted import path (`os.system`, `_pytest.runner`), builtins by name
 * (`eval`, `getattr`), escape attributes by attribute name (`__globals__`, `f_back`), writes by `write/<target>`.
 */

/** Test frameworks, the runner's own guard modules and the import machinery: solution code has no business with them. */
const FRAMEWORKS = [
  "_pytest", "pytest", "pluggy", "py", "unittest", "doctest", "mock", "runner_code_policy_pytest", "sitecustomize", "usercustomize",
  "importlib", "imp", "runpy", "pkgutil", "zipimport",
  // A name bound in solution code that pytest would take as a hook or a plugin list (pytest_pyfunc_call, pytest_plugins).
  "pytest-hook",
];

/** Frames, the garbage collector, code objects: the ways to reach the test framework's live objects. */
const INTROSPECTION = [
  "inspect", "gc", "ctypes", "_ctypes", "code", "codeop", "pdb", "bdb", "trace", "dis", "types.CodeType", "types.FunctionType",
  "types.FrameType", "types.TracebackType",
  "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace", "sys.setprofile", "sys.gettrace",
  "sys.getprofile", "sys.modules", "sys.meta_path", "sys.path_hooks", "sys.path_importer_cache", "sys.addaudithook",
  "sys.audit", "sys.breakpointhook", "sys.exit", "sys.excepthook", "sys.unraisablehook", "builtins", "__main__",
  "_frozen_importlib", "_frozen_importlib_external", "_imp", "_io", "posix", "nt",
  // Live frames handed out by the stdlib (their f_locals hold pytest's items, config and plugin manager).
  "traceback.walk_stack", "traceback.walk_tb", "traceback.extract_stack", "traceback.extract_tb", "traceback.print_stack",
  "traceback.format_stack", "traceback.StackSummary", "traceback.FrameSummary", "traceback.clear_frames", "logging.currentframe",
  // An imported module used as a value ([os][0]._exit, f(sys)): what is taken from it can no longer be named.
  "value/",
];

/** Builtins that evaluate code or reach namespaces by name. */
const DYNAMIC = [
  // Code run from a string by the standard library: timeit's statements, typing's string annotations, pydoc.locate.
  "timeit", "typing.get_type_hints", "typing.ForwardRef", "typing._eval_type", "annotationlib", "pydoc",
  // Names looked up from a string (logging.config's resolve), calls made later with no frame of the student's on the
  // stack (weakref.finalize at exit), files written by a handler, frames read through format fields.
  "logging.config", "logging.handlers", "logging.FileHandler", "weakref.finalize", "string.Formatter",
  "eval", "exec", "compile", "__import__", "globals", "locals", "vars", "getattr", "setattr", "delattr", "breakpoint", "exit", "quit", "__builtins__", "__loader__", "__spec__", "operator.attrgetter", "operator.methodcaller",
  // With a name computed at run time (also where a PIT allows the getter itself); itemgetter with constants is fine.
  "operator.attrgetter(computed)", "operator.methodcaller(computed)", "operator.itemgetter(computed)"];

/** Attributes that lead from any object to globals, classes, frames or code (defining dunder methods stays fine). */
export const ESCAPE_ATTRIBUTES = [
  "__globals__", "__subclasses__", "__bases__", "__base__", "__mro__", "__code__", "__builtins__", "__closure__",
  "__self__", "__getattribute__", "__setattr__", "__delattr__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__",
  "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "tb_frame", "gi_frame", "gi_code", "cr_frame", "cr_code",
  "ag_frame", "ag_code", "co_code", "__dict__",
];

const EXIT_AND_PROCESSES = [
  "os._exit", "os.abort", "os.kill", "os.killpg", "os.system", "os.popen", "os.fork", "os.forkpty", "os.register_at_fork",
  "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe",
  "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe",
  "os.posix_spawn", "os.posix_spawnp", "os.dup2", "os.setuid", "os.setgid", "atexit", "signal", "_signal", "subprocess",
  "_posixsubprocess", "pty", "asyncio.subprocess", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
];

const THREADS_AND_NETWORK = ["threading", "_thread", "multiprocessing", "_multiprocessing", "concurrent", "socket", "_socket", "ssl", "socketserver", "http", "urllib", "ftplib", "smtplib", "telnetlib", "xmlrpc"];

const SERIALIZERS = ["pickle", "_pickle", "marshal", "shelve", "copyreg", "dill", "cloudpickle"];

const FILE_WRITES = [
  "open", "io.open", "codecs.open", "os.fdopen", "os.open", "os.write", "os.writev", "os.pwrite", "os.remove", "os.unlink",
  "os.rename", "os.renames", "os.replace", "os.rmdir", "os.removedirs", "os.mkdir", "os.makedirs", "os.mkfifo", "os.mknod",
  "os.chmod", "os.fchmod", "os.lchmod", "os.chown", "os.fchown", "os.lchown", "os.link", "os.symlink", "os.truncate",
  "os.ftruncate", "os.utime", "shutil", "tempfile", "mmap", "pathlib.Path.write_text", "pathlib.Path.write_bytes",
  "pathlib.Path.unlink", "pathlib.Path.rename", "pathlib.Path.replace", "pathlib.Path.rmdir", "pathlib.Path.mkdir",
  "pathlib.Path.touch", "pathlib.Path.symlink_to", "pathlib.Path.hardlink_to", "pathlib.Path.chmod", "pathlib.Path.open",
  // A write to an attribute of an imported module (`math.pi = 3`, `random.random = ...`): monkeypatching.
  "write/",
  // The analyser could not finish reading a file (pathological nesting): refused rather than let through.
  "unchecked-code",
];

export const PYTHON_DEFAULT_DENY: readonly string[] = [
  ...FRAMEWORKS,
  ...INTROSPECTION,
  ...DYNAMIC,
  ...ESCAPE_ATTRIBUTES,
  ...EXIT_AND_PROCESSES,
  ...THREADS_AND_NETWORK,
  ...SERIALIZERS,
  ...FILE_WRITES,
];

export function isPythonPit(config: { language: string; buildTool: string }): boolean {
  return config.language.toLowerCase() === "python" || config.buildTool.toLowerCase() === "pytest";
}
