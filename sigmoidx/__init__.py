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

import sys
from importlib import import_module
from importlib.machinery import PathFinder
from importlib.metadata import PackageNotFoundError, version
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

from ._core import (kernel_level, log_sigmoid, logit, sigmoid, sigmoid_and_grad,
                    sigmoid_backward, sigmoid_grad, supported_kernel_levels)

try:
    __version__ = version("sigmoidx")
except PackageNotFoundError:  # pragma: no cover - built in place, not installed
    __version__ = "unknown"

__all__ = ["sigmoid", "sigmoid_grad", "sigmoid_and_grad", "sigmoid_backward", "log_sigmoid",
           "logit", "show_config", "get_include", "__version__"]


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


def show_config():
    """Return which kernels run here: a dict, also handy to print.

    ``kernel_level`` is the instruction-set level in use; ``supported`` lists
    every level this CPU can run, any of which the environment variable
    ``SIGMOIDX_CPU`` can select at import.

    Examples
    --------
    >>> import sigmoidx
    >>> config = sigmoidx.show_config()
    >>> sorted(config)
    ['kernel_level', 'supported', 'version']
    >>> config["kernel_level"] in config["supported"]
    True
    """
    return {
        "version": __version__,
        "kernel_level": kernel_level,
        "supported": list(supported_kernel_levels),
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
    import os

    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")
