"""The kernels are chosen once, when the module is executed, and nothing changes them after.

What runs is read where NumPy keeps it: each loop's ``data`` pointer (PyUFuncObject,
numpy/ufuncobject.h: PyObject_HEAD; int nin, nout, nargs, identity; functions; data; int
ntypes) points at an entry of a kernel level's table, and that entry holds the kernel.
Both are taken as offsets into the loaded _core object (dladdr), so they compare across
processes whatever the load address.  In a fresh interpreter, before any call, then after
SIGMOIDX_CPU is set to another level and every ufunc has run from eight threads at once,
both must be unchanged: no dispatch on first call, no environment read after import, no
write from a call.  A second interpreter started with SIGMOIDX_CPU set sees other
kernels, which shows the reading sees the level at all.
"""

import json
import os
import subprocess
import sys

import pytest

import sigmoidx

_SCRIPT = r'''
import ctypes, json, os, sys, threading
import numpy as np
import sigmoidx

class DlInfo(ctypes.Structure):
    _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p),
                ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]

dladdr = ctypes.CDLL(None).dladdr
dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
core_file = os.path.realpath(sigmoidx._core.__file__)

def core_offset(address):
    info = DlInfo()
    if not dladdr(address, ctypes.byref(info)):
        return None
    if os.path.realpath(os.fsdecode(info.fname)) != core_file:
        return None
    return address - info.fbase

def kernels(ufunc):
    """[(offset of the loop's data, offset of the kernel it holds)] per loop, or None
    where the object is not laid out as this reading expects."""
    base, ptr = id(ufunc), ctypes.sizeof(ctypes.c_void_p)
    head = 2 * ptr  # PyObject_HEAD of a default (not free-threaded, not debug) build
    counts = [ctypes.c_int.from_address(base + head + 4 * i).value for i in range(3)]
    data = ctypes.c_void_p.from_address(base + head + 16 + ptr).value
    ntypes = ctypes.c_int.from_address(base + head + 16 + 2 * ptr).value
    if counts != [ufunc.nin, ufunc.nout, ufunc.nargs] or ntypes != ufunc.ntypes:
        return None
    entries = [ctypes.c_void_p.from_address(data + ptr * i).value for i in range(ntypes)]
    return [(core_offset(e), core_offset(ctypes.c_void_p.from_address(e).value))
            for e in entries]

ufuncs = [getattr(sigmoidx, n) for n in sigmoidx.__all__
          if isinstance(getattr(sigmoidx, n), np.ufunc)]
report = {"level": sigmoidx._core.kernel_level,
          "at_import": {f.__name__: kernels(f) for f in ufuncs}}  # before any call
if len(sys.argv) > 1:
    os.environ["SIGMOIDX_CPU"] = sys.argv[1]

def work():
    for f in ufuncs:
        for dtype in (np.float16, np.float32, np.float64, np.longdouble):
            x = np.linspace(0, 1, 1001).astype(dtype)
            f(*(x,) * f.nin)
        if f.ntypes > 4:
            f(np.linspace(-1, 1, 101) * (1 + 1j))

threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
report["after_calls"] = {f.__name__: kernels(f) for f in ufuncs}
report["level_after"] = sigmoidx._core.kernel_level
report["config_after"] = sigmoidx.show_config()
print(json.dumps(report))
'''


def run(env_level=None, set_after_import=None):
    env = {k: v for k, v in os.environ.items() if k != "SIGMOIDX_CPU"}
    if env_level is not None:
        env["SIGMOIDX_CPU"] = env_level
    args = [sys.executable, "-c", _SCRIPT] + ([set_after_import] if set_after_import else [])
    result = subprocess.run(args, env=env, capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(sigmoidx.__file__)))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def readable(report):
    return all(k is not None and all(None not in pair for pair in k)
               for k in report["at_import"].values())


def test_nothing_changes_the_kernels_after_import():
    levels = sigmoidx.show_config()["supported"]
    if len(levels) < 2:
        pytest.skip("one kernel level only: no other level to ask for")
    default = run(set_after_import=levels[0])
    if not readable(default):
        pytest.skip("unknown PyUFuncObject layout or no dladdr")
    assert default["level"] == levels[-1] != levels[0]
    forced = run(env_level=levels[0])
    assert forced["level"] == levels[0]
    # the reading sees the level: each ufunc runs other kernels at the other level
    for name, kernels in default["at_import"].items():
        assert kernels != forced["at_import"][name], name
    # and after SIGMOIDX_CPU=<lowest> and threaded calls, the same kernels as at import
    assert default["after_calls"] == default["at_import"]
    assert forced["after_calls"] == forced["at_import"]
    assert default["level_after"] == default["level"]
    assert default["config_after"]["kernel_level"] == default["level"]
