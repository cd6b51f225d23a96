"""PYTEST_DONT_REWRITE: pytest leaves this module's asserts (it has none) and bytecode alone."""
# Runner-owned pytest plugin (PYTEST_PLUGINS), the second half of the Python runtime guard: Python raises no
# audit event when a class or module attribute is assigned, so a solution that reaches pytest's classes (through
# object.__subclasses__(), sys.modules...) could patch them. This plugin records, before collection, the
# namespaces of pytest's, pluggy's and the builtins' modules and classes (and of the instructor's test modules
# once they are collected), and puts back whatever changed before each report is made, again before it is logged
# (making it may call a __repr__ or __str__ of the student's) and before the report file is written. Changed: a
# method, property or other descriptor of a class added, replaced or removed, or a module-level function or class
# replaced or removed (plain data that pytest itself rebinds, such as its assertion hooks' module variables or
# class-level flags, is left alone).
#
# The session itself is guarded too (code the static check missed may still reach pytest's objects, e.g. through
# frames a stdlib helper hands out): once collection starts, a plugin registered while a student frame is on the
# stack, or registered past pytest's own register (pluggy's base method, a hook implementation added by hand, a
# hook caller replaced), is unregistered or put back and the run says so on stderr; only test functions whose code
# is in one of the template's files are run (RUNNER_GUARD_TEMPLATE_FILES; others are deselected, so a test the
# student adds to a template module, or one a `from solution import *` brings in, never runs); and each test
# report's outcome, longrepr, when and nodeid are fixed as the report is made (later writes are ignored).
import json
import os
import sys
from itertools import chain
from operator import is_, itemgetter, methodcaller
from types import FunctionType, MethodType, ModuleType

import pytest

# This plugin's own module too: a helper of its replaced (through sys.modules) is put back like pytest's.
_PROTECTED_ROOTS = ("_pytest", "pytest", "pluggy", "py", "builtins", __name__)
_saved_modules = {}  # id(module) -> (name, namespace, {name: function or class})
# The same, flattened for the fast path: one itemgetter per module (two names or more, so it returns a tuple), its
# namespace, and every value the getters return, in order: one C-level pass compares them all.
_module_getters = []
_module_namespaces = []
_module_values = []
_saved_classes = {}
_class_proxies = []
_IMMUTABLE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE (3.10+)
_restored = []
# A module's own namespace, read past any __dict__ a module subclass defines: the py library's lazy modules
# (apipkg) import every submodule when their __dict__ is read (25 imports, ~6 ms, in the sample's run).
_namespace_of = ModuleType.__dict__["__dict__"].__get__
_get = itemgetter.__call__


def _protected(name):
    return name.partition(".")[0] in _PROTECTED_ROOTS


def _behaviour(value):
    # Methods, properties and other descriptors, classes: what decides how an object behaves. Plain data on a
    # class (pytest sets flags such as _pytest_diamond_inheritance_warning_shown) is left as it is.
    return callable(value) or hasattr(type(value), "__get__")


def _flatten(namespace, kept):
    names = list(kept)
    if names:
        names = names * 2 if len(names) == 1 else names
        _module_getters.append(itemgetter(*names))
        _module_namespaces.append(namespace)
        _module_values.extend(kept[k] for k in names)


def _pytest_own_change(name, key, value):
    # The one change pytest itself makes to a saved module after the first snapshot: with --runxfail, the skipping
    # plugin's pytest_configure swaps pytest.xfail for a no-op of its own. Kept (the restore would put the real one
    # back and fail every xfail test), and only a function written in _pytest/skipping.py.
    if name != "pytest" or key != "xfail" or type(value) is not FunctionType or not _config:
        return False
    skipping = sys.modules.get("_pytest.skipping")
    written_in = _namespace_of(skipping).get("__file__") if skipping is not None else None
    return bool(getattr(_config[0].option, "runxfail", False)) and written_in is not None and value.__code__.co_filename == written_in


def _snapshot_module(module):
    # type(), not isinstance(): an object put in sys.modules could answer __class__ with code of the student's.
    if not issubclass(type(module), ModuleType) or id(module) in _saved_modules:
        return
    namespace = _namespace_of(module)
    kept = {k: v for k, v in namespace.items() if isinstance(v, type) or callable(v)}
    name = namespace.get("__name__", "")
    _saved_modules[id(module)] = (name, namespace, kept)
    _flatten(namespace, kept)
    for value in kept.values():
        # Immutable types (the builtins', C extension types) refuse attribute changes by themselves.
        if isinstance(value, type) and value.__module__ == name and not value.__flags__ & _IMMUTABLE and id(value) not in _saved_classes:
            saved = dict(value.__dict__)
            _saved_classes[id(value)] = (value, saved, list(saved), list(saved.values()))
            _class_proxies.append(value.__dict__)


def _snapshot(extra=()):
    for name, module in list(sys.modules.items()):
        if module is not None and _protected(name):
            _snapshot_module(module)
    for module in extra:
        _snapshot_module(module)
    _classes_fingerprint[:] = [_classes_state()]


# Identity is compared with operator.is_, never id(): id() raises an audit event ("builtins.id") per call, and
# the runtime guard's audit hook would see tens of thousands of them.
def _modules_unchanged():
    try:
        return all(map(is_, chain.from_iterable(map(_get, _module_getters, _module_namespaces)), _module_values))
    except KeyError:
        return False


_classes_fingerprint = []


def _classes_state():
    # Every saved class's sizes, keys and values, in C-level passes (no Python loop per class). The values are
    # held here, so an object compared by identity cannot be freed and its address reused.
    proxies = _class_proxies
    return (list(map(len, proxies)), list(chain.from_iterable(proxies)), list(chain.from_iterable(map(methodcaller("values"), proxies))))


def _same_classes(state):
    lengths, keys, values = _classes_fingerprint[0]
    return lengths == state[0] and keys == state[1] and all(map(is_, values, state[2]))


def _restore():
    # The fast path (two C-level passes of identity comparisons) runs several times per test; the loops only when
    # something changed.
    if not _modules_unchanged():
        accepted = False
        for name, namespace, kept in _saved_modules.values():
            for key, value in kept.items():
                current = namespace.get(key, _restore)
                if current is value:
                    continue
                if _pytest_own_change(name, key, current):
                    kept[key] = current
                    accepted = True
                else:
                    namespace[key] = value
                    _restored.append("%s.%s" % (name, key))
        if accepted:
            del _module_getters[:], _module_namespaces[:], _module_values[:]
            for _, namespace, kept in _saved_modules.values():
                _flatten(namespace, kept)
    if _classes_fingerprint and _same_classes(_classes_state()):
        return
    for cls, saved, keys, ids in _saved_classes.values():
        current = cls.__dict__
        if len(current) == len(keys) and list(current) == keys and all(map(is_, current.values(), ids)):
            continue
        changed = False
        for key in [k for k in current if k not in saved and _behaviour(current[k])]:
            try:
                type.__delattr__(cls, key)
                changed = True
            except (AttributeError, TypeError):
                pass
        for key, value in saved.items():
            if current.get(key, _restore) is not value and key not in ("__dict__", "__weakref__", "__doc__"):
                if key in current and not (_behaviour(current[key]) or _behaviour(value)):
                    continue
                try:
                    type.__setattr__(cls, key, value)
                    changed = True
                except (AttributeError, TypeError):
                    pass
        if changed:
            _restored.append(cls.__qualname__)
    _classes_fingerprint[:] = [_classes_state()]


def _env_list(name):
    try:
        value = json.loads(os.environ.get(name) or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


_root = os.environ.get("RUNNER_GUARD_ROOT") or ""
_real_root = os.path.realpath(_root) if _root else ""
_every_file = os.environ.get("RUNNER_GUARD_FILES") == "*"
# Resolved, and compared under the resolved root (sitecustomize.py says why).
_student_files = frozenset(os.path.join(_real_root, f) for f in ([] if _every_file else _env_list("RUNNER_GUARD_FILES")))
_trusted_files = frozenset(os.path.join(_real_root, f) for f in _env_list("RUNNER_GUARD_TRUSTED"))
_prefix = _real_root.rstrip("/") + "/" if _real_root else ""
# Code objects sitecustomize's audit hook saw run from a string under a frame of the student's (it sets this).
_student_codes = set()
_template_files = frozenset(os.path.realpath(os.path.join(_real_root, f)) for f in _env_list("RUNNER_GUARD_TEMPLATE_FILES") if f.endswith(".py"))
_student_cache = {}
_getframe = sys._getframe


def _is_student(filename):
    hit = _student_cache.get(filename)
    if hit is None:
        name = filename if filename.startswith("<") else os.path.realpath(filename)
        if _every_file:
            hit = bool(_prefix) and name.startswith(_prefix) and name.endswith(".py") and name not in _trusted_files
        else:
            hit = name in _student_files
        _student_cache[filename] = hit
    return hit


def _student_on_stack():
    frame = _getframe(1)
    while frame is not None:
        code = frame.f_code
        if code in _student_codes or _is_student(code.co_filename):
            return True
        frame = frame.f_back
    return False


_locked = []  # [plugin manager] once collection started
_known = {}  # id(plugin) -> plugin: every plugin the session may have
_hooks = {}  # hook name -> (caller, [(impl, function)])
_refused = []
_plugins_checked = []  # the session's plugins as the last check left them
# Hooks through which a registered plugin could change what is reported.
_WATCHED_HOOKS = (
    "pytest_runtest_logreport", "pytest_runtest_makereport", "pytest_report_teststatus", "pytest_runtest_protocol",
    "pytest_runtest_call", "pytest_pyfunc_call", "pytest_runtest_setup", "pytest_runtest_teardown",
    "pytest_runtest_logfinish", "pytest_runtest_logstart", "pytest_sessionfinish", "pytest_terminal_summary",
    "pytest_collection_modifyitems", "pytest_collectreport", "pytest_make_collect_report", "pytest_exception_interact",
    "pytest_unconfigure", "pytest_deselected", "pytest_itemcollected", "pytest_junit_property",
)


def _refuse(what):
    _refused.append(what)
    sys.stderr.write("runner code policy: refused %s (the session is kept as pytest set it up)\n" % what)


def _describe(plugin):
    try:
        return "%s (%s)" % (type(plugin).__qualname__, type(plugin).__module__)
    except Exception:  # noqa: BLE001 - a class of the student's may answer anything
        return "a plugin"


def _drop(manager, plugin):
    # By identity: pluggy's own lookups compare and hash the plugin, which a student's object can answer as it likes.
    for name, value in list(manager._name2plugin.items()):
        if value is plugin:
            try:
                manager.unregister(plugin=plugin, name=name)
            except Exception:  # noqa: BLE001 - its __hash__ or __bool__ may raise; the hook lists are cleaned below
                pass
            manager._name2plugin.pop(name, None)


def _impls(caller):
    return caller.get_hookimpls()


def _set_impls(caller, impls):
    # pluggy 1.0 keeps two lists (the order within each is the call order); 1.1+ one.
    if hasattr(caller, "_hookimpls"):
        caller._hookimpls[:] = impls
    else:
        caller._nonwrappers[:] = [impl for impl in impls if not impl.hookwrapper]
        caller._wrappers[:] = [impl for impl in impls if impl.hookwrapper]


def _take_hooks(manager):
    _hooks.clear()
    for name in _WATCHED_HOOKS:
        caller = getattr(manager.hook, name, None)
        if caller is not None:
            # An implementation whose plugin is not (or no longer) the session's is taken out first.
            current = _impls(caller)
            kept = [impl for impl in current if id(impl.plugin) in _known]
            if len(kept) != len(current):
                _refuse("a hook implementation of a plugin not the session's in %s" % name)
                _set_impls(caller, kept)
            _hooks[name] = (caller, [(impl, impl.function) for impl in kept])


def _check_session():
    # Cheap when nothing changed: a set of ids and a few hook callers' implementation lists, per test phase.
    if not _locked:
        return
    manager = _locked[0]
    changed = False
    # Names, not get_plugins(): that hashes the plugins, and a plugin's __hash__ may be the student's. The same plugins
    # as last time (compared by identity in C: id() is an audit event) need no look-up each.
    plugins = list(manager._name2plugin.values())
    if not (len(plugins) == len(_plugins_checked) and all(map(is_, plugins, _plugins_checked))):
        for name, plugin in list(manager._name2plugin.items()):
            if plugin is not None and id(plugin) not in _known:
                _refuse("a plugin registered by solution code: %s" % _describe(plugin))
                _known.pop(id(plugin), None)
                _drop(manager, plugin)
                changed = True
        _plugins_checked[:] = list(manager._name2plugin.values())
    for name, (caller, impls) in _hooks.items():
        if manager.hook.__dict__.get(name) is not caller:
            _refuse("a replaced hook %s" % name)
            setattr(manager.hook, name, caller)
            changed = True
        current = _impls(caller)
        if len(current) != len(impls) or not all(map(is_, current, [impl for impl, _ in impls])):
            _refuse("a changed hook %s" % name)
            _set_impls(caller, [impl for impl, _ in impls])
            changed = True
        for impl, function in impls:
            if impl.function is not function:
                _refuse("a changed implementation of %s" % name)
                impl.function = function
                changed = True
    if changed:
        _take_hooks(manager)


# The hooks below take the helpers they call as defaults (pluggy passes only the arguments without one), bound when
# this module loads: replacing a helper in this module's namespace does not change what a hook calls, and _restore
# then puts the module's own functions back.
_self = sys.modules[__name__]
# Until pluggy has registered this plugin, each call is the replay of a registration made before it (pytest's own
# plugins, -p and installed entry points): that is before any conftest or test module is imported, so before any code
# of the student's can run (package metadata that would load a module of theirs as a plugin is never admitted). The
# stack walk, ~30 frames each an audited f_code read, cost these ~35 replays 8 ms in all.
_replaying = [True]


@pytest.hookimpl(tryfirst=True)
def pytest_plugin_registered(plugin, manager, _restore=_restore, _student_on_stack=_student_on_stack, _check_session=_check_session, _drop=_drop, _refuse=_refuse, _replaying=_replaying, _self=_self):
    if _replaying:
        if plugin is _self:
            _replaying.clear()
        _known[id(plugin)] = plugin
        return
    _restore()
    if not _locked:
        if not _student_on_stack():
            _known[id(plugin)] = plugin
            return
    elif not _student_on_stack():
        # A conftest.py of the template's found during collection, a plugin pytest itself adds late.
        _known[id(plugin)] = plugin
        _take_hooks(manager)
        return
    _refuse("a plugin registered by solution code: %s" % _describe(plugin))
    _drop(manager, plugin)
    if _locked:
        _check_session()


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session):
    manager = session.config.pluginmanager
    for plugin in manager._name2plugin.values():
        _known.setdefault(id(plugin), plugin)
    _locked[:] = [manager]
    _take_hooks(manager)


_config = []  # [the Config], from the first snapshot on


def pytest_load_initial_conftests(early_config, _snapshot=_snapshot):
    # The first snapshot, just before pytest's own (trylast) implementation imports the first conftest.py: a conftest
    # of the template's may import the solution, or a package marker of the student's above it (prepend import mode
    # runs <root>/__init__.py first), and whatever their code changes must not become the state put back. pytest's own
    # early changes (legacypath's properties, tryfirst) are made by now. The replays ended long before; cleared again
    # should pytest ever skip this plugin's own registration call.
    _replaying.clear()
    _config[:] = [early_config]
    _snapshot()


def pytest_sessionstart(session, _snapshot=_snapshot):
    # pytest's modules imported since (the snapshot of a module already taken is kept as it was).
    _snapshot()


_template_cache = {}


def _in_template(filename):
    hit = _template_cache.get(filename)
    if hit is None:
        hit = _template_cache[filename] = os.path.realpath(filename) in _template_files
    return hit


# What pytest's collection saw under each name, before any test item existed: PyCollector.collect() takes the module's
# (or class's) names in one list first, and hands each object to pytest_pycollect_makeitem. An item whose object is
# not that one was put in its place during collection (a __getattr__ of the student's that pytest's __test__ probe
# runs), and is not the template's test.
_collected = {}
_MISSING = object()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    _collected[(id(collector), name)] = obj
    yield


def _plain(obj):
    # A bound method, or a class body's staticmethod/classmethod (collection sees those, the item the function).
    return obj.__func__ if type(obj) in (MethodType, staticmethod, classmethod) else obj


def _from_template(item):
    obj = getattr(item, "obj", None) if not hasattr(item, "function") else item.function
    function = _plain(obj)
    parent = getattr(item, "parent", None)
    seen = _collected.get((id(parent), getattr(item, "originalname", None) or getattr(item, "name", "")), _MISSING)
    if seen is not _MISSING and _plain(seen) is not function:
        return False
    if obj is None:
        # No object of its own (a doctest of a template module): the file it was collected from decides.
        return _in_template(str(getattr(item, "path", getattr(item, "fspath", ""))))
    if type(function) is not FunctionType:
        # A callable object (functools.partial of a template function, a class instance): not one whose class's
        # __call__ is written in a student file, and only from a template file.
        call = type(function).__dict__.get("__call__")
        if type(call) is FunctionType and (_is_student(call.__code__.co_filename) or call.__code__ in _student_codes):
            return False
        return _in_template(str(getattr(item, "path", getattr(item, "fspath", ""))))
    # A decorated test runs a wrapper whose code is elsewhere (mock.patch, unittest.skip, a helper without
    # functools.wraps): followed through __wrapped__ (read from the function's own __dict__), plain functions only. Code
    # written in a student file on the way refuses the test; one in a template file, or a wrapper chain of library
    # code collected from a template module under its own name (seen above), accepts it.
    for _ in range(16):
        code = function.__code__
        if _is_student(code.co_filename) or code in _student_codes:
            return False
        if _in_template(code.co_filename):
            return True
        inner = function.__dict__.get("__wrapped__")
        if type(inner) is not FunctionType:
            break
        function = inner
    return seen is not _MISSING and _in_template(str(getattr(item, "path", getattr(item, "fspath", ""))))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items, _restore=_restore, _check_session=_check_session):
    _restore()
    _check_session()
    if not _template_files:
        return
    kept, dropped = [], []
    for item in items:
        (kept if _from_template(item) else dropped).append(item)
    if dropped:
        items[:] = kept
        config.hook.pytest_deselected(items=dropped)
        _refuse("%d test(s) not defined in the exercise's test files: %s" % (len(dropped), ", ".join(i.nodeid for i in dropped[:5])))


_frozen_classes = {}
_truth = {}
_FROZEN = ("outcome", "longrepr", "when", "nodeid")


def _frozen_class(cls):
    frozen = _frozen_classes.get(cls)
    if frozen is None:
        def field(name, index):
            def get(self):
                return _truth[self][index]

            def set_(self, value):
                if value is not _truth[self][index]:
                    _refuse("a change to a test report's %s" % name)

            def delete(self):
                _refuse("a change to a test report's %s" % name)

            return property(get, set_, delete)

        namespace = {name: field(name, i) for i, name in enumerate(_FROZEN)}
        namespace.update(__hash__=object.__hash__, __eq__=object.__eq__, __module__=cls.__module__, __qualname__=cls.__qualname__)
        frozen = _frozen_classes[cls] = type(cls.__name__, (cls,), namespace)
    return frozen


def _freeze(report):
    cls = type(report)
    if cls in _frozen_classes.values():
        return
    try:
        values = tuple(report.__dict__[name] for name in _FROZEN)
        report.__class__ = _frozen_class(cls)
        # Hashed as the frozen class says (identity); the instance's own __dict__ keeps its copies for serialisers.
        _truth[report] = values
    except (KeyError, TypeError, AttributeError):
        return


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector, _restore=_restore, _snapshot=_snapshot):
    yield
    if not isinstance(collector, pytest.Module):
        return
    # A test module has just been imported, and with it the student's modules: undo what their import did.
    # (A conftest that imports them is undone here too, before any test runs.)
    _restore()
    # _obj, not .module: the property would import the test module again, outside pytest's error handling.
    module = collector.__dict__.get("_obj")
    if module is not None:
        _snapshot((module,))


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call, _restore=_restore, _check_session=_check_session, _freeze=_freeze):
    _restore()
    _check_session()
    outcome = yield
    # The outermost wrapper: pytest's own (skipping's xfail) have made their changes by now.
    report = outcome.get_result()
    if report is not None:
        _freeze(report)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report, _restore=_restore, _check_session=_check_session):
    _restore()
    _check_session()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, _restore=_restore, _check_session=_check_session):
    _restore()
    _check_session()
    if _restored:
        sys.stderr.write("runner code policy: restored %s\n" % ", ".join(sorted(set(_restored))[:20]))
