"""PYTEST_DONT_REWRITE: pytest leaves this module's asserts (it has none) and bytecode alone."""
# Runner-owned pytest plugin (PYTEST_PLUGINS), the second half of the Python runtime guard: Python raises no
# audit event when a class or module attribute is assigned, so a solution that reaches pytest's classes (through
# object.__subclasses__(), sys.modules...) could patch them. This plugin records, before collection, the
# namespaces of pytest's, pluggy's and the builtins' modules and classes (and of the instructor's test modules
# once they are collected), and puts back whatever changed before each report is made and logged and before
# the report file is written (nothing of the student's runs between a report being made and logged). Changed: a method, property or other descriptor of a class added, replaced or
# removed, or a module-level function or class replaced or removed (plain data that pytest itself rebinds, such
# as its assertion hooks' module variables or class-level flags, is left alone).
import sys
from itertools import chain
from operator import is_, itemgetter, methodcaller

import pytest

_PROTECTED_ROOTS = ("_pytest", "pytest", "pluggy", "py", "builtins")
_saved_modules = {}
_saved_classes = {}
_class_proxies = []
_IMMUTABLE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE (3.10+)
_restored = []


def _protected(name):
    return name.partition(".")[0] in _PROTECTED_ROOTS


def _behaviour(value):
    # Methods, properties and other descriptors, classes: what decides how an object behaves. Plain data on a
    # class (pytest sets flags such as _pytest_diamond_inheritance_warning_shown) is left as it is.
    return callable(value) or hasattr(type(value), "__get__")


def _snapshot_module(module):
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict) or id(module) in _saved_modules:
        return
    kept = {k: v for k, v in namespace.items() if isinstance(v, type) or callable(v)}
    _saved_modules[id(module)] = (module, kept, _fingerprint(kept))
    name = getattr(module, "__name__", "")
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
def _fingerprint(kept):
    return (itemgetter(*kept) if len(kept) > 1 else None, tuple(kept.values()))


def _unchanged(namespace, fingerprint):
    getter, values = fingerprint
    if getter is None:
        return False
    try:
        return all(map(is_, getter(namespace), values))
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
    # The fast path (C-level id comparisons) runs several times per test; the loops only when something changed.
    for module, kept, fingerprint in _saved_modules.values():
        namespace = module.__dict__
        if _unchanged(namespace, fingerprint):
            continue
        for key, value in kept.items():
            if namespace.get(key, _restore) is not value:
                namespace[key] = value
                _restored.append("%s.%s" % (module.__name__, key))
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


def pytest_sessionstart(session):
    _snapshot()


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    _restore()
    yield


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    _restore()
    if _restored:
        sys.stderr.write("runner code policy: restored %s\n" % ", ".join(sorted(set(_restored))[:20]))
