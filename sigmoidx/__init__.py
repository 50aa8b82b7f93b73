"""sigmoidx: the logistic sigmoid and its derivative as NumPy ufuncs.

``sigmoid(x) = 1 / (1 + exp(-x))`` and ``sigmoid_grad(x) = sigmoid(x) * (1 - sigmoid(x))``,
within 1 ULP for float16, float32 and float64 (2 ULP for long double),
vectorised for the CPU they run on.
Also ``sigmoid_and_grad`` (both in one pass), ``sigmoid_backward(dy, y)``
(``dy*y*(1-y)``), ``log_sigmoid`` and ``logit``; complex inputs for ``sigmoid``
and ``sigmoid_grad``.

Examples
--------
>>> import numpy as np, sigmoidx
>>> float(sigmoidx.sigmoid(np.float32(-100.0)))   # subnormal in float32, not 0
3.78...e-44
>>> float(sigmoidx.sigmoid_grad(37.43))   # y*(1-y) from the rounded y gives 0 here
5.5...e-17
"""

import os as _os
import sys
import warnings as _warnings
from importlib import import_module
from importlib.machinery import PathFinder
from importlib.metadata import PackageNotFoundError, version
from operator import index as _operator_index
from pathlib import Path


def _installed_copy():
    """Folders of an installed sigmoidx other than this one, or []."""
    checkout = Path(__file__).resolve().parent.parent
    for entry in sys.path:
        if Path(entry or ".").resolve() != checkout:
            spec = PathFinder.find_spec("sigmoidx", [entry])
            if spec is not None and spec.submodule_search_locations:
                return list(spec.submodule_search_locations)
    return []


try:
    _core = import_module(f"{__name__}._core")
except ModuleNotFoundError as error:
    if error.name != f"{__name__}._core":
        raise
    # This is the uncompiled source folder, first on sys.path because Python runs
    # in the repository root (`python -m sigmoidx` there): use the installed build.
    __path__.extend(_installed_copy())
    try:
        _core = import_module(f"{__name__}._core")
    except ModuleNotFoundError:
        raise ImportError("sigmoidx is not built: run `pip install .` first") from None
del _installed_copy, import_module, PathFinder, Path, sys

from ._core import (get_num_threads, kernel_level, log_sigmoid, logit, sigmoid,
                    sigmoid_and_grad, sigmoid_backward, sigmoid_grad, supported_kernel_levels)

try:
    __version__ = version("sigmoidx")
except PackageNotFoundError:  # pragma: no cover - built in place, not installed
    __version__ = "unknown"

__all__ = ["sigmoid", "sigmoid_grad", "sigmoid_and_grad", "sigmoid_backward", "log_sigmoid",
           "logit", "get_num_threads", "set_num_threads", "show_config", "get_include",
           "__version__"]


def _register_bfloat16():
    """bfloat16 loops for every ufunc when ml_dtypes (the optional extra
    ``sigmoidx[bfloat16]``) imports: float32 kernels, each result rounded once."""
    try:
        import ml_dtypes
    except ImportError:
        return
    import numpy

    _core._register_bfloat16(numpy.dtype(ml_dtypes.bfloat16).num)


_register_bfloat16()
del _register_bfloat16

for _ufunc in (sigmoid, sigmoid_grad, sigmoid_and_grad, sigmoid_backward, log_sigmoid, logit):
    try:  # NumPy >= 2.2: help() and pickling then name the public module
        _ufunc.__module__ = __name__
    except (AttributeError, TypeError):
        pass
del _ufunc


def set_num_threads(n):
    """Set how many threads a long array loop runs on; return the previous number.

    Contiguous runs of at least 32,768 elements are cut into pieces computed by the
    calling thread and ``n - 1`` workers of a pool that sigmoidx starts when first
    needed; results are bit for bit those of one thread, and floating-point warnings
    reach ``np.errstate`` as with one thread.  A call made while another thread's call
    uses the pool runs in its own thread only.  ``n = 1`` turns the pool off.

    The number at import is ``SIGMOIDX_NUM_THREADS``, else ``OMP_NUM_THREADS``, else
    the number of CPUs this process may run on.  ``threadpoolctl.threadpool_limits``
    sets it too (threadpoolctl >= 3.2).

    Parameters
    ----------
    n : int
        From 1 to ``sigmoidx._core.max_num_threads`` (256).

    Returns
    -------
    int
        The number of threads before the call.

    Raises
    ------
    TypeError
        If ``n`` is not an integer (a bool is not taken for one).
    ValueError
        If ``n`` is out of range.

    Examples
    --------
    >>> import sigmoidx
    >>> previous = sigmoidx.set_num_threads(1)
    >>> sigmoidx.get_num_threads()
    1
    >>> sigmoidx.set_num_threads(previous)
    1
    """
    if isinstance(n, bool):
        raise TypeError("sigmoidx.set_num_threads: the number of threads must be an int, "
                        "not a bool")
    try:
        count = _operator_index(n)
    except TypeError:
        raise TypeError("sigmoidx.set_num_threads: the number of threads must be an int, "
                        f"not {type(n).__name__}") from None
    if not 1 <= count <= _core.max_num_threads:
        raise ValueError(f"sigmoidx.set_num_threads: the number of threads must be from 1 "
                         f"to {_core.max_num_threads}, not {count}")
    return _core._set_num_threads(count)


def _default_num_threads():
    """SIGMOIDX_NUM_THREADS, else OMP_NUM_THREADS (its first level: "4,2" means 4),
    else the CPUs this process may run on; capped at the pool's maximum.  A value that
    is not a positive integer is ignored with a RuntimeWarning."""
    for name in ("SIGMOIDX_NUM_THREADS", "OMP_NUM_THREADS"):
        value = _os.environ.get(name, "").strip()
        if not value:
            continue
        try:
            count = int(value.split(",")[0])
        except ValueError:
            count = 0
        if count >= 1:
            return min(count, _core.max_num_threads)
        _warnings.warn(f"sigmoidx: ignoring {name}={value!r}, which is not a positive integer",
                      RuntimeWarning, stacklevel=3)
    try:
        count = len(_os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        count = _os.cpu_count() or 1
    return max(1, min(count, _core.max_num_threads))


_core._set_num_threads(_default_num_threads())


def show_config():
    """Return which kernels run here: a dict, also handy to print.

    ``kernel_level`` is the instruction-set level in use; ``supported`` lists
    every level this CPU can run, any of which the environment variable
    ``SIGMOIDX_CPU`` can select at import.  ``num_threads`` is the number of
    threads a long array loop runs on (see ``set_num_threads``).

    Examples
    --------
    >>> import sigmoidx
    >>> config = sigmoidx.show_config()
    >>> sorted(config)
    ['kernel_level', 'num_threads', 'supported', 'version']
    >>> config["kernel_level"] in config["supported"]
    True
    >>> config["num_threads"] == sigmoidx.get_num_threads()
    True
    """
    return {
        "version": __version__,
        "kernel_level": kernel_level,
        "supported": list(supported_kernel_levels),
        "num_threads": get_num_threads(),
    }


def get_include():
    """Return the folder of sigmoidx's C header, ``sigmoidx.h``, for C and Cython
    extensions that call the sigmoid family per element (its C API).

    Pass it as an include directory, call ``import_sigmoidx()`` once at module init,
    then ``sigmoidx_sigmoid(x)``, ``sigmoidx_logitf(p)`` and the rest (the header lists
    them).  Cython code does ``from sigmoidx cimport sigmoid`` instead (the ``.pxd`` is
    in the package) and also needs this folder.

    Examples
    --------
    >>> import os, sigmoidx
    >>> os.path.isfile(os.path.join(sigmoidx.get_include(), "sigmoidx.h"))
    True
    """
    return _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "include")


def _register_with_threadpoolctl():
    """Let threadpoolctl's threadpool_limits and threadpool_info see the pool
    (threadpoolctl >= 3.2, if installed)."""
    try:
        import threadpoolctl
    except ImportError:
        return
    if hasattr(threadpoolctl, "register"):
        from ._threadpoolctl import make_controller

        threadpoolctl.register(make_controller(threadpoolctl.LibController))


_register_with_threadpoolctl()
