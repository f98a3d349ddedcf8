"""The exceptions boundlab raises: one base class and one subclass per kind of failure.

Each carries the engine's message (what was wrong and where: the parameter name, the script
line and column). When a Python function passed as a parameter raised, that exception is the
``__cause__`` of the boundlab error, with its traceback.
"""


class Error(Exception):
    """Base class of every boundlab error."""


class BadParameterError(Error, ValueError):
    """A parameter is missing, unknown, of the wrong type or shape, or out of range."""


class NumericalError(Error, ArithmeticError):
    """The numerics broke down (a factorisation failed, accuracy was lost)."""


class InfeasibleError(Error):
    """The problem has no feasible point."""


class CancelledError(Error):
    """The run was cancelled (Ctrl-C arrives as ``KeyboardInterrupt`` instead)."""


class InternalError(Error):
    """A bug or a panic inside a plugin; the interpreter and the engine keep running."""


class CallbackError(Error):
    """A Python function passed as a parameter raised; its exception is ``__cause__``."""


class ScriptError(Error):
    """A Rhai script failed; ``file``, ``line`` and ``column`` say where (None if unknown)."""

    file = None
    line = None
    column = None


class PluginLoadError(Error):
    """A plugin library could not be loaded (missing, incompatible ABI, duplicate name)."""


class FileError(Error, OSError):
    """A file could not be read or written, or its content is malformed."""


__all__ = [
    "Error",
    "BadParameterError",
    "NumericalError",
    "InfeasibleError",
    "CancelledError",
    "InternalError",
    "CallbackError",
    "ScriptError",
    "PluginLoadError",
    "FileError",
]
