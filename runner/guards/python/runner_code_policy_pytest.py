# Runner-owned pytest plugin (PYTEST_PLUGINS), the second half of the Python runtime guard: Python raises no
# audit event when a class or module attribute is assigned, so a solution that reaches pytest's classes (through
# object.__subclasses__(), sys.modules...) could patch them. This plugin records, before collection, the
# namespaces of pytest's, pluggy's and the builtins' modules and classes (and of the instructor's test modules
# once they are collected), and puts back whatever changed before each report is made and logged and before
# the report file is written. Changed: a class attribute that differs, or a module-level function or class
# replaced or removed (module variables that pytest itself rebinds, e.g. assertion hooks, are not functions).
import sys

import pytest

_PROTECTED_ROOTS = ("_pytest", "pytest", "pluggy", "py", "builtins")
_saved_modules = {}
_saved_classes = {}
_restored = []


def _protected(name):
    return name.partition(".")[0] in _PROTECTED_ROOTS


def _snapshot_module(module):
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict) or id(module) in _saved_modules:
        return
    kept = {k: v for k, v in namespace.items() if isinstance(v, type) or callable(v)}
    _saved_modules[id(module)] = (module, kept)
    name = getattr(module, "__name__", "")
    for value in kept.values():
        if isinstance(value, type) and value.__module__ == name and id(value) not in _saved_classes:
            _saved_classes[id(value)] = (value, dict(value.__dict__))


def _snapshot(extra=()):
    for name, module in list(sys.modules.items()):
        if module is not None and _protected(name):
            _snapshot_module(module)
    for module in extra:
        _snapshot_module(module)


def _restore():
    for module, kept in _saved_modules.values():
        namespace = module.__dict__
        for key, value in kept.items():
            if namespace.get(key, _restore) is not value:
                namespace[key] = value
                _restored.append("%s.%s" % (module.__name__, key))
    for cls, saved in _saved_classes.values():
        current = cls.__dict__
        if len(current) == len(saved) and all(current.get(k, _restore) is v for k, v in saved.items()):
            continue
        for key in [k for k in current if k not in saved]:
            try:
                type.__delattr__(cls, key)
            except (AttributeError, TypeError):
                pass
        for key, value in saved.items():
            if current.get(key, _restore) is not value and key not in ("__dict__", "__weakref__", "__doc__"):
                try:
                    type.__setattr__(cls, key, value)
                except (AttributeError, TypeError):
                    pass
        _restored.append(cls.__qualname__)


def pytest_sessionstart(session):
    _snapshot()


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    yield
    # A test module has just been imported, and with it the student's modules: undo what their import did.
    _restore()
    # _obj, not .module: the property would import the test module again, outside pytest's error handling.
    module = collector.__dict__.get("_obj") if isinstance(collector, pytest.Module) else None
    if module is not None:
        _snapshot((module,))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    _restore()
    yield


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    _restore()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    _restore()
    if _restored:
        sys.stderr.write("runner code policy: restored %s\n" % ", ".join(sorted(set(_restored))[:20]))
