"""Install and remove replacement handlers on moto's response classes, bound to one running stand-in.

Why: moto instantiates its response classes per request, so a handler can only reach the stand-in's state through
the class. Binding each handler to the Runtime at install time passes that state as a parameter (no module-level
"current" stand-in), and ``remove`` gives moto its own handlers back when the stand-in stops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_ORIGINALS: dict[tuple[type, str], Any] = {}


def install(cls: type, handlers: dict[str, Callable[[Any, Any], Any]], state: Any) -> None:
    """Make ``cls.<name>(self)`` call ``handlers[name](state, self)`` for each name."""
    for name, handler in handlers.items():
        replace(cls, name, _bound(handler, state))


def replace(cls: type, name: str, value: Any) -> None:
    """Set ``cls.<name>``, remembering moto's own for ``remove``."""
    _ORIGINALS.setdefault((cls, name), cls.__dict__.get(name))
    setattr(cls, name, value)


def remove(cls: type, names: tuple[str, ...]) -> None:
    """Restore moto's own handlers (deleting the ones moto does not have)."""
    for name in names:
        original = _ORIGINALS.pop((cls, name), None)
        if original is None:
            if name in cls.__dict__:
                delattr(cls, name)
        else:
            setattr(cls, name, original)


def _bound(handler: Callable[[Any, Any], Any], state: Any) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return handler(state, self)

    method.__name__ = handler.__name__
    method.__doc__ = handler.__doc__
    return method
