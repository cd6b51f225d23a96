/**
 * The Python half of the static check, run by the runner as `/usr/bin/python3 -I -S -c <this>` and kept running
 * (python-analyser.ts): it only parses (ast), never imports or runs the student's code. Kept as a string so it
 * ships inside dist/ with the code that runs it (no file to install, none the sandbox could reach). Each request is
 * one line on stdin, {"root": ws, "files": [rel...]}; its answer is one JSON object per line, {"f": file index,
 * "l": line, "k": key, "d": what the student wrote}, each key at most once per file (its first line), then the line
 * {"end":1}. It exits when stdin closes. A file that does not parse (SyntaxError, ValueError, UnicodeDecodeError)
 * is skipped: the test run reports it; one the parser cannot finish (RecursionError, MemoryError) is a finding.
 * No backticks or dollar-brace in the Python below (this is a template literal).
 */
export const PYTHON_ANALYSER = String.raw`
import ast, json, sys

ESCAPES = frozenset(json.loads(sys.argv[1]))
WATCHED_BUILTINS = frozenset(["eval", "exec", "compile", "__import__", "globals", "locals", "vars", "breakpoint",
    "exit", "quit", "__builtins__", "__loader__", "__spec__"])
NAME_CALLS = frozenset(["getattr", "setattr", "delattr", "open"])
WRITE_MODE = frozenset("wax+")
PATH_WRITES = frozenset(["write_text", "write_bytes", "unlink", "rmdir", "mkdir", "touch", "symlink_to", "hardlink_to"])
PATH_WRITES_IF_PATHLIB = frozenset(["rename", "chmod"])
# Helpers that look attributes or items up by a name given at run time: fine with constant names only.
GETTERS = frozenset(["operator.attrgetter", "operator.methodcaller", "operator.itemgetter"])
# A module re-exported under another module (os.sys, traceback.sys): its APIs are named by the real module too.
STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
# The names a match statement's patterns bind (case x, case [*rest], case {**rest}): Python 3.10+.
MATCH_CAPTURES = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar", "MatchMapping") if hasattr(ast, n))

def const_str(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(v.value for v in node.values)
    return None

class Analyser:
    def __init__(self, emit):
        self.emit = emit
        self.bindings = {}
        # Names bound to a module (import x, import x as y, from x import <stdlib module>): using one as a value
        # ([os][0]._exit, f(sys)) hides what is taken from it, so that is a finding of its own.
        self.modules = set()
        self.pathlib = False

    def chain(self, node):
        """a.b.c -> ("a", ["b", "c"]) for a Name root, else None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            return node.id, parts[::-1]
        return None

    def resolve(self, node):
        """The dotted API an expression names, when it starts from an import."""
        found = self.chain(node)
        if not found:
            return None
        root, parts = found
        base = self.bindings.get(root)
        if base is None:
            return None
        return ".".join([base] + parts)

    def run(self, tree):
        parents = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                parents[child] = node
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.emit(node, a.name, "import " + a.name)
                    self.bindings[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
                    self.modules.add(a.asname or a.name.split(".")[0])
                    if a.name.split(".")[0] == "pathlib":
                        self.pathlib = True
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] == "pathlib":
                    self.pathlib = True
                for a in node.names:
                    key = node.module if a.name == "*" else node.module + "." + a.name
                    self.emit(node, key, "from " + node.module + " import " + a.name)
                    if a.name != "*":
                        self.bindings[a.asname or a.name] = key
                        if a.name in STDLIB:
                            # from os import sys: the sys module under another path.
                            self.emit(node, a.name, "from " + node.module + " import " + a.name)
                            self.bindings[a.asname or a.name] = a.name
                            self.modules.add(a.asname or a.name)
        for node in ast.walk(tree):
            self.visit(node, parents.get(node))

    def visit(self, node, parent):
        # A name pytest reads as a hook or a plugin list (pytest_pyfunc_call, pytest_plugins), bound in solution code
        # however: a template that imports the solution's names (from solution import *, a conftest's import) would
        # hand them to pytest, which calls them with no import of pytest in sight.
        bound = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = node.name
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound = node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            bound = node.attr
        elif isinstance(node, ast.alias):
            bound = node.asname or node.name
        elif isinstance(node, MATCH_CAPTURES):
            bound = getattr(node, "name", None) or getattr(node, "rest", None)
        if bound and bound.startswith("pytest_"):
            self.emit(node, "pytest-hook", "the pytest hook name " + bound)
        if isinstance(node, ast.Attribute):
            if node.attr in ESCAPES:
                receiver_is_plain = isinstance(node.value, ast.Name) and node.value.id not in self.bindings
                if node.attr != "__dict__" or not receiver_is_plain:
                    self.emit(node, node.attr, "." + node.attr)
            if node.attr in PATH_WRITES or (self.pathlib and node.attr in PATH_WRITES_IF_PATHLIB):
                self.emit(node, "pathlib.Path." + node.attr, "." + node.attr + "()")
            if node.attr == "open" and isinstance(parent, ast.Call) and parent.func is node and self.resolve(node) is None:
                self.check_mode(parent, 0, "pathlib.Path.open", ".open")
            # Only the longest chain: a.b.c is reported once, as a.b.c, not also as a.b.
            if not (isinstance(parent, ast.Attribute) and parent.value is node):
                api = self.resolve(node)
                if api:
                    self.emit(node, api, api)
                    self.emit_reexports(node, api)
                    if isinstance(parent, ast.Call) and parent.func is node and api in GETTERS:
                        self.check_getter(parent, api)
                    if isinstance(parent, ast.Call) and parent.func is node and api in ("io.open", "codecs.open", "os.fdopen"):
                        self.check_mode(parent, 1, api, api)
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                api = self.resolve(node)
                if api:
                    self.emit(node, "write/" + api, "a write to " + api)
        elif isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load) and node.id in self.bindings and not isinstance(parent, ast.Attribute):
                self.emit(node, self.bindings[node.id], node.id)
                if self.bindings[node.id] in GETTERS and isinstance(parent, ast.Call) and parent.func is node:
                    self.check_getter(parent, self.bindings[node.id])
                # getattr(math, "pi"), setattr(math, ...): named by check_attr_call (a computed name is a finding there).
                by_name = (isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.args
                    and parent.args[0] is node and parent.func.id in ("getattr", "setattr", "delattr", "hasattr")
                    and parent.func.id not in self.bindings)
                if node.id in self.modules and not by_name:
                    module = self.bindings[node.id]
                    self.emit(node, "value/" + module, module + " (as a value)")
            if node.id in WATCHED_BUILTINS and node.id not in self.bindings:
                self.emit(node, node.id, node.id)
            elif node.id in NAME_CALLS and node.id not in self.bindings:
                if not (isinstance(parent, ast.Call) and parent.func is node):
                    self.emit(node, node.id, node.id + " used as a value")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in self.bindings:
            name = node.func.id
            if name == "open":
                self.check_mode(node, 1, "open", "open")
            elif name in ("getattr", "setattr", "delattr"):
                self.check_attr_call(node, name)

    def emit_reexports(self, node, api):
        parts = api.split(".")
        for i in range(1, len(parts)):
            if parts[i] in STDLIB:
                rebased = ".".join(parts[i:])
                self.emit(node, rebased, api)

    def check_getter(self, call, api):
        # attrgetter: every name; methodcaller: the method's name (the rest are its arguments); itemgetter: every key.
        names = call.args[:1] if api == "operator.methodcaller" else call.args
        if api == "operator.itemgetter":
            computed = not all(isinstance(a, ast.Constant) for a in names)
        else:
            texts = [const_str(a) for a in names]
            computed = not names or None in texts
            for text in texts:
                for part in (text or "").split("."):
                    if part in ESCAPES:
                        self.emit(call, part, api + '("' + text + '")')
        if computed or any(isinstance(a, ast.Starred) for a in call.args) or (call.keywords and api != "operator.methodcaller"):
            self.emit(call, api + "(computed)", api + " with a computed name")

    def check_mode(self, call, index, key, shown):
        if any(isinstance(a, ast.Starred) for a in call.args[:index + 1]) or any(kw.arg is None for kw in call.keywords):
            self.emit(call, key, shown + " with unpacked arguments")
            return
        mode = call.args[index] if len(call.args) > index else None
        for kw in call.keywords:
            if kw.arg == "mode":
                mode = kw.value
        if mode is None:
            return
        text = const_str(mode)
        if text is None:
            self.emit(call, key, shown + " with a computed mode")
        elif WRITE_MODE & set(text):
            self.emit(call, key, shown + ' for writing ("' + text + '")')

    def check_attr_call(self, call, name):
        attr = const_str(call.args[1]) if len(call.args) > 1 else None
        if attr is None:
            self.emit(call, name, name + " with a computed name")
            return
        if attr in ESCAPES:
            self.emit(call, attr, name + '(..., "' + attr + '")')
        target = self.resolve(call.args[0]) if call.args else None
        if target:
            self.emit(call, target + "." + attr, target + "." + attr)
            if name != "getattr":
                self.emit(call, "write/" + target + "." + attr, "a write to " + target + "." + attr)

def analyse(request, out):
    for index, rel in enumerate(request["files"]):
        try:
            with open(request["root"] + "/" + rel, "rb") as handle:
                tree = ast.parse(handle.read(), filename=rel)
        except (SyntaxError, UnicodeDecodeError):
            continue
        except ValueError as error:
            # NUL bytes: not source at all (a marshalled .pyc under a .py name still runs under runpy or python3 x.py).
            tree = None
            failure = "ValueError: " + str(error)
        except (RecursionError, MemoryError, OSError) as error:
            tree = None
            failure = type(error).__name__
        seen = set()
        def emit(node, key, shown, index=index, seen=seen):
            if key in seen:
                return
            seen.add(key)
            out.write(json.dumps({"f": index, "l": getattr(node, "lineno", 0), "k": key, "d": shown}) + "\n")
        if tree is None:
            emit(None, "unchecked-code", "code the checker could not read (" + failure + ")")
            continue
        try:
            Analyser(emit).run(tree)
        except RecursionError:
            emit(tree, "unchecked-code", "code nested too deeply to check")
        except MemoryError:
            emit(tree, "unchecked-code", "code too large to check")

def main():
    out = sys.stdout
    readline = sys.stdin.buffer.readline
    while True:
        line = readline()
        if not line:
            return
        analyse(json.loads(line), out)
        out.write('{"end":1}' + "\n")
        out.flush()

main()
`;
