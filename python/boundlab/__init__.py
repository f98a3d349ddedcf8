"""boundlab: the solver engine, embedded in Python.

>>> import boundlab
>>> engine = boundlab.Engine(out_dir="runs/notebook", seed=1)
>>> r = engine.run("sdp.delsarte", dim=8, degree=6)
>>> round(r["bound"])
240

Parameters are Python values: numbers, str, bool, lists, dicts, numpy arrays (1-d: vectors,
2-d: matrices), ``scipy.sparse`` matrices and functions (a problem's ``f``, ``c``, ...).
Results are dicts with numpy arrays for vectors and matrices. Runs are recorded in
``engine.records_path`` exactly as the ``boundlab`` command records them. Long runs release
the GIL, show progress (tqdm when installed, else ``logging``) and stop on Ctrl-C.

The module-level functions (:func:`run`, :func:`run_batch`, ...) use one default engine,
created on first use with its records in ``runs/session-<time>``.
"""

import inspect

from . import errors
from ._native import ABI_VERSION, VERSION
from ._native import Engine as _NativeEngine
from ._progress import make_progress
from .errors import (
    BadParameterError,
    CallbackError,
    CancelledError,
    Error,
    FileError,
    InfeasibleError,
    InternalError,
    NumericalError,
    PluginLoadError,
    ScriptError,
)

__version__ = VERSION

__all__ = [
    "Engine",
    "run",
    "run_batch",
    "algorithms",
    "describe",
    "schema",
    "eval",
    "run_script",
    "default_engine",
    "errors",
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
    "ABI_VERSION",
]


class Engine:
    """The boundlab engine with the first-party plugins linked in.

    Parameters
    ----------
    plugins : list of paths, optional
        Plugin shared libraries to load besides the linked-in ones (a plugin of the same name
        replaces the linked-in one).
    out_dir : path, optional
        Folder of the run records, checkpoints and saved files (default
        ``runs/session-<time>``).
    jobs : int, optional
        Worker threads for batches (default: the number of cores).
    seed : int, optional
        Seed given to algorithms whose ``seed`` parameter is not set, for reproducible runs.
    progress : "auto", "tqdm", "log", None or callable
        How long runs report progress: tqdm bars when tqdm is installed (``"auto"``), logging
        lines (logger ``boundlab``), nothing, or ``callback(task, done, total, message)``.
    discover_plugins : bool
        Also load the plugins found in the folders of ``$BOUNDLAB_PLUGIN_PATH``.
    """

    def __init__(
        self,
        plugins=(),
        out_dir=None,
        jobs=None,
        seed=None,
        progress="auto",
        discover_plugins=False,
    ):
        self._progress = make_progress(progress)
        self._engine = _NativeEngine(
            plugins=[str(p) for p in plugins],
            out_dir=None if out_dir is None else str(out_dir),
            jobs=jobs,
            seed=seed,
            progress=self._progress,
            discover_plugins=discover_plugins,
        )

    def _call(self, method, *args):
        """Calls the native engine, then closes progress displays the run left open."""
        try:
            return method(*args)
        finally:
            finish = getattr(self._progress, "finish", None)
            if finish is not None:
                finish()

    def run(self, id, /, **params):
        """Runs algorithm ``id`` with ``params`` and returns its result (a dict).

        Parameters not given take the defaults ``describe(id)`` lists; an unknown name is a
        :class:`BadParameterError` that suggests the closest ones. Functions passed as
        parameters are called back with numpy arrays. Raises a subclass of :class:`Error`
        when the run fails, and ``KeyboardInterrupt`` (after stopping the run) on Ctrl-C.
        """
        return self._call(self._engine.run, id, params)

    def run_batch(self, id, params, /, *, errors="raise"):
        """Runs ``id`` once per dict in ``params`` on the engine's workers.

        Returns the results in the order of ``params``. With ``errors="raise"`` (default) the
        first failed run's exception is raised after all have finished; with
        ``errors="return"`` a failed run's place holds its exception instead.
        """
        if errors not in ("raise", "return"):
            raise BadParameterError(
                f"errors={errors!r}: expected 'raise' or 'return'"
            )
        results = self._call(self._engine.run_batch, id, list(params))
        if errors == "raise":
            for i, r in enumerate(results):
                if isinstance(r, BaseException):
                    raise type(r)(f"run {i} of the batch: {r}") from r
        return results

    def algorithms(self):
        """The ids of the loaded algorithms, sorted."""
        return self._engine.algorithms()

    def describe(self, id):
        """The description and parameters of ``id``, as ``boundlab describe`` prints them."""
        return self._engine.describe(id)

    def schema(self, id):
        """The description and parameters of ``id`` as a dict."""
        return self._engine.schema(id)

    def eval(self, source):
        """Runs a Rhai snippet and returns its final value."""
        return self._call(self._engine.eval, source)

    def run_script(self, path, /, **constants):
        """Runs the Rhai script at ``path``; ``constants`` are visible in it by name (as the
        command line's ``--set NAME=VALUE``)."""
        return self._call(self._engine.run_script, str(path), constants)

    def load_plugin(self, path):
        """Loads a plugin shared library; returns its name."""
        return self._engine.load_plugin(str(path))

    def plugins(self):
        """``(name, version, source)`` of each loaded plugin."""
        return self._engine.plugins()

    @property
    def out_dir(self):
        """The folder of records, checkpoints and saved files."""
        return self._engine.out_dir

    @property
    def records_path(self):
        """The file the runs are recorded in."""
        return self._engine.records_path

    def __repr__(self):
        return f"boundlab.Engine(out_dir={str(self.out_dir)!r})"


try:
    from ._algorithms import RUN_REFERENCE

    Engine.run.__doc__ = inspect.cleandoc(Engine.run.__doc__) + "\n\n" + RUN_REFERENCE
except ImportError:  # before the first `python -m boundlab._stubs`
    pass

_default = None


def default_engine():
    """The engine the module-level functions use (created on first use)."""
    global _default
    if _default is None:
        _default = Engine()
    return _default


def run(id, /, **params):
    """:meth:`Engine.run` on the default engine."""
    return default_engine().run(id, **params)


def run_batch(id, params, /, *, errors="raise"):
    """:meth:`Engine.run_batch` on the default engine."""
    return default_engine().run_batch(id, params, errors=errors)


def algorithms():
    """:meth:`Engine.algorithms` on the default engine."""
    return default_engine().algorithms()


def describe(id):
    """:meth:`Engine.describe` on the default engine."""
    return default_engine().describe(id)


def schema(id):
    """:meth:`Engine.schema` on the default engine."""
    return default_engine().schema(id)


def eval(source):  # noqa: A001 - mirrors the script API's name
    """:meth:`Engine.eval` on the default engine."""
    return default_engine().eval(source)


def run_script(path, /, **constants):
    """:meth:`Engine.run_script` on the default engine."""
    return default_engine().run_script(path, **constants)
