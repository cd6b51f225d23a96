# Runner-owned: the runtime half of the Python code policy. Found first on PYTHONPATH, so `site` imports it
# at interpreter start, before any module of the student's (under pytest it first imports the runner's plugin, and
# pytest with it, with the workspace off sys.path: see _import_plugin). It installs an audit hook
# (sys.addaudithook: there is no API to remove one) and an import guard, and both refuse, while code of the
# student's is running, what the PIT's policy denies. A refused operation raises inside the student's code, so
# the test that called it fails or errors; pytest itself is never stopped. Python 3.8+ (checked on 3.11).
#
# Configuration (runner-written environment): RUNNER_GUARD_ROOT (the workspace), RUNNER_GUARD_FILES (JSON list
# of the student's .py files, relative; "*" = every .py under the root except RUNNER_GUARD_TRUSTED's) and
# RUNNER_GUARD_POLICY (JSON {"imports": [top-level modules refused], "events": [audit events refused],
# "exit": bool}).
import builtins
from types import CodeType
import json
import os
import sys


class CodePolicyError(PermissionError):
    pass


# An ImportError, so pytest reports a refused import at collection as the test module's import error.
class CodePolicyImportError(ImportError):
    pass


def _install(student_codes):
    root = os.environ.get("RUNNER_GUARD_ROOT")
    if not root:
        return
    try:
        policy = json.loads(os.environ.get("RUNNER_GUARD_POLICY") or "{}")
    except ValueError:
        policy = {}
    raw = os.environ.get("RUNNER_GUARD_FILES") or "[]"
    everything = raw == "*"
    try:
        listed = [] if everything else json.loads(raw)
        trusted = json.loads(os.environ.get("RUNNER_GUARD_TRUSTED") or "[]")
    except ValueError:
        listed, trusted = [], []
    # A code object's file name is the path its module was found by, never normalised: tests/../shapes.py (a template
    # conftest putting tests/.. on sys.path), //ws/shapes.py, /proc/self/cwd/shapes.py, or relative (runpy.run_path).
    # Names are resolved (realpath, once per name) and compared with the student's files under the resolved root.
    real_root = os.path.realpath(root).rstrip("/")
    files = frozenset(os.path.join(real_root, f) for f in listed)
    trusted_files = frozenset(os.path.join(real_root, f) for f in trusted)
    prefix = real_root + "/"
    realpath = os.path.realpath
    denied_imports = frozenset(policy.get("imports", []))
    denied_events = frozenset(policy.get("events", []))
    getframe = sys._getframe
    busy = []
    known = {}

    def is_student(filename):
        hit = known.get(filename)
        if hit is None:
            name = filename if filename.startswith("<") else realpath(filename)
            if everything:
                hit = name.startswith(prefix) and name.endswith(".py") and name not in trusted_files
            else:
                hit = name in files
            known[filename] = hit
        return hit

    # Code run from a string while a frame of the student's is on the stack (timeit, typing's string annotations,
    # dataclasses' generated methods; not a module being imported) is the student's too, whatever name it was compiled
    # under ("<timeit-src>", "<string>"): recorded as its code object and every one nested in it (a set of code
    # objects, kept alive).
    def student_code(code):
        return code in student_codes or is_student(code.co_filename)

    def adopt(code):
        pending = [code]
        while pending:
            current = pending.pop()
            if current not in student_codes:
                student_codes.add(current)
                pending.extend(c for c in current.co_consts if type(c) is type(current))

    def caller_frame(depth):
        # Raised from C with no Python code running (the interpreter importing runpy for -m): no caller at all.
        try:
            return getframe(depth + 1)
        except ValueError:
            return None

    def caller_is_student(frame):
        return frame is not None and student_code(frame.f_code)

    def student_on_stack(frame):
        while frame is not None:
            if student_code(frame.f_code):
                return True
            frame = frame.f_back
        return False

    def refuse(what, kind=CodePolicyError):
        return kind(what + " is not allowed in this exercise (the grader's code policy)")

    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    # Refused only when the code that made the call is the student's: stdlib helpers (traceback printing,
    # logging's caller lookup, namedtuple's generated code) keep working for everyone.
    CALLER_ONLY = frozenset(["exec", "compile", "sys._getframe", "object.__getattr__"])
    WATCHED = denied_events | frozenset(["exec", "open", "object.__setattr__", "object.__delattr__"]) | (frozenset(["import"]) if denied_imports else frozenset())
    PROTECTED_ROOTS = frozenset(["_pytest", "pytest", "pluggy", "py", "builtins"])

    loaded = []

    def hook(event, args):
        if event not in WATCHED or busy:
            return
        if not loaded:
            # Until the first module of the student's starts (its code object is exec'd), none of their code can
            # be on the stack: pytest's start-up and plugin loading, most of the events, take this path.
            if event == "exec" and is_student(getattr(args[0], "co_filename", "")):
                loaded.append(1)
            return
        # Cheap tests on the arguments first; frames (sys._getframe raises an event of its own) only when needed.
        if event == "open":
            mode, flags = args[1], args[2]
            if not ((isinstance(mode, str) and any(c in mode for c in "wax+")) or (mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)):
                return
            if "open" not in denied_events:
                return
        elif event in ("object.__setattr__", "object.__delattr__"):
            target, name = args[0], args[1]
            module = getattr(target, "__module__", None) if isinstance(target, type) else None
            protected = name == "__code__" or (isinstance(module, str) and module.partition(".")[0] in PROTECTED_ROOTS)
            if name == "__class__" and not protected:
                # A report the runner's plugin froze (or any pytest object) given back its old class.
                owner = getattr(type(target), "__module__", "")
                protected = isinstance(owner, str) and owner.partition(".")[0] in PROTECTED_ROOTS
            if not protected or "object.__setattr__" not in denied_events:
                return
        elif event == "import":
            if str(args[0]).partition(".")[0] not in denied_imports:
                return
        elif event not in denied_events and event != "exec":
            # "exec" is watched even when the PIT allows exec(): for the start of the student's code, and for code run
            # from a string under a frame of theirs.
            return
        busy.append(1)
        try:
            # Frame 0 is this hook; 1 is the code whose call raised the event (C functions have no frame).
            caller = caller_frame(1)
            if event == "open":
                if student_on_stack(caller):
                    raise refuse("opening %r for writing" % (args[0],))
            elif event in ("object.__setattr__", "object.__delattr__"):
                if student_on_stack(caller):
                    target = args[0]
                    raise refuse("changing %s.%s" % (getattr(target, "__qualname__", type(target).__name__), args[1]))
            elif event == "import":
                # The importer is the first frame outside the import machinery: a stdlib module the student
                # imports may itself import a denied one (logging imports threading).
                frame = caller
                while frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
                    frame = frame.f_back
                if caller_is_student(frame):
                    raise refuse("import " + str(args[0]), CodePolicyImportError)
            elif event in CALLER_ONLY:
                if event in denied_events and caller_is_student(caller):
                    raise refuse(event)
                # Not a module being imported (the import machinery runs it): code from a file is that file's.
                if event == "exec" and type(args[0]) is CodeType and caller is not None and not caller.f_code.co_filename.startswith("<frozen importlib") and student_on_stack(caller):
                    adopt(args[0])
            elif student_on_stack(caller):
                raise refuse(event)
        finally:
            busy.pop()

    sys.addaudithook(hook)

    # The "import" audit event fires only when a module is first loaded; pytest's own are loaded already when
    # the student's code runs, so imports are also checked at the statement, by the caller's file.
    original_import = builtins.__import__

    def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
        # `loaded` first: pytest's own modules import _pytest thousands of times before the student's code starts.
        if loaded and level == 0 and name.partition(".")[0] in denied_imports and caller_is_student(caller_frame(1)):
            raise refuse("import " + name, CodePolicyImportError)
        return original_import(name, globals, locals, fromlist, level)

    builtins.__import__ = guarded_import

    if policy.get("exit"):
        original_exit = os._exit

        def guarded_exit(status):
            # Once the student's code has loaded, from anywhere: pytest never calls it, and a finalizer or callback the
            # student left behind (weakref.finalize at interpreter exit) runs with no frame of theirs on the stack.
            if loaded or student_on_stack(caller_frame(1)):
                raise refuse("os._exit")
            original_exit(status)

        os._exit = guarded_exit
        posix = sys.modules.get("posix")
        if posix is not None:
            posix._exit = guarded_exit


def _runs_pytest():
    # `python3 [options] -m pytest ...` or the `pytest` script (sys.orig_argv: Python 3.10+).
    argv = list(getattr(sys, "orig_argv", []))
    if "-m" in argv and argv.index("-m") + 1 < len(argv):
        return argv[argv.index("-m") + 1] in ("pytest", "py.test")
    return len(argv) > 1 and os.path.basename(argv[1]).startswith(("pytest", "py.test"))


def _import_plugin(root):
    # The runner's pytest plugin (and with it pytest) is imported first, while the workspace is not on sys.path:
    # PYTEST_PLUGINS would import it later, after `python -m pytest` put the workspace first (and pytest's assertion
    # rewriter ahead of every finder), so a student's file of the same name would be imported instead. A PYTHONPATH
    # the PIT sets (".", "src") does put workspace folders on sys.path already: they are taken off while the plugin
    # and pytest load, so that no module of the student's can stand in for one they import (copy.py's probe of
    # Jython's `org` package, an optional dependency), and put back afterwards in their order. Nothing of the
    # student's can run before the hook below is installed; pytest's ~2,600 start-up events then skip it.
    inside = os.path.realpath(root).rstrip("/") + "/"
    own = os.path.dirname(os.path.realpath(__file__))
    saved = list(sys.path)
    resolved = [os.path.realpath(e or ".") for e in saved]
    sys.path[:] = [e for e, real in zip(saved, resolved) if real == own or not (real + "/").startswith(inside)]
    try:
        import runner_code_policy_pytest  # noqa: F401
    finally:
        sys.path[:] = saved + [e for e in sys.path if e not in saved]


# Shared with the runner's plugin, which asks the same question of the frames it walks.
_student_codes = set()
if os.environ.get("RUNNER_GUARD_ROOT") and _runs_pytest():
    _import_plugin(os.environ["RUNNER_GUARD_ROOT"])
    sys.modules["runner_code_policy_pytest"]._student_codes = _student_codes
del _import_plugin
_install(_student_codes)
del _install, _student_codes
