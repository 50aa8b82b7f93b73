"""Make every test run against the installed, freshly built extension.

`python -m pytest` from the repository root puts the root on sys.path, where
the source folder `sigmoidx/` (which has no compiled `_core`) would shadow the
installed package.  Drop the root from sys.path, import the installed package,
and refuse to run if it was built from other sources than this checkout's.
"""

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != REPO_ROOT]
sys.modules.pop("sigmoidx", None)

import sigmoidx  # noqa: E402  (after the sys.path fix on purpose)
from sigmoidx._source_hash import source_hash  # noqa: E402

if Path(sigmoidx.__file__).resolve().parent == REPO_ROOT / "sigmoidx":
    raise pytest.UsageError("tests imported the source folder, not the installed sigmoidx")

_built_from = sigmoidx._core.source_hash
_checkout = source_hash(REPO_ROOT)
if _built_from != _checkout:
    raise pytest.UsageError(
        f"the installed sigmoidx was built from other sources ({_built_from}) than this "
        f"checkout ({_checkout}): reinstall with  pip install '.[test]'"
    )


def pytest_report_header(config):
    import numpy as np
    from inputs import SAMPLE_SCALE

    lines = [f"sigmoidx {sigmoidx.__version__} from {Path(sigmoidx.__file__).parent}, {sigmoidx.show_config()}",
             f"long double: {np.finfo(np.longdouble).nmant + 1}-bit significand"]
    if SAMPLE_SCALE != 1:
        lines.append(f"SIGMOIDX_TEST_SCALE={SAMPLE_SCALE}: large random and swept samples cut to "
                     "that fraction (thresholds, special values and fixed points kept)")
    return lines
