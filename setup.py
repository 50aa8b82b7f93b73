"""Builds the one C extension, sigmoidx._core (metadata is in pyproject.toml)."""

import runpy
import sys
from pathlib import Path

import numpy
from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent
fingerprint = runpy.run_path(str(ROOT / "sigmoidx" / "_source_hash.py"))
hashed_files = sorted(str(p.relative_to(ROOT)) for pattern in fingerprint["SOURCE_PATTERNS"]
                      for p in ROOT.glob(pattern))

if sys.platform == "win32":
    compile_args = []
else:
    compile_args = [
        "-std=c11",
        "-O3",  # GCC vectorises the kernel loops at -O3
        "-ffp-contract=off",  # fused multiply-adds only where written: same bits on every level
        "-Wall",
        "-Wextra",
    ]

core = Extension(
    "sigmoidx._core",
    sources=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "csrc").glob("*.c")),
    # recompile when any hashed source (its hash is compiled in) or this file changes
    depends=hashed_files + ["setup.py"],
    include_dirs=[numpy.get_include(), "csrc", "sigmoidx/include"],  # the C API table's layout
    define_macros=[("SIGMOIDX_SOURCE_HASH", f'"{fingerprint["source_hash"](ROOT)}"')],
    extra_compile_args=compile_args,
)

setup(ext_modules=[core])
