"""Pickling: every public ufunc pickles by reference and comes back as itself.

Dask (distributed), joblib, multiprocessing and scikit-learn's model files all
pickle the functions they are handed, so ``sigmoidx.sigmoid`` must survive
``pickle`` in this process and in a fresh interpreter.
"""

import copy
import pickle
import subprocess
import sys

import numpy as np
import pytest

import sigmoidx

UFUNC_NAMES = [name for name in sigmoidx.__all__ if isinstance(getattr(sigmoidx, name), np.ufunc)]
NUMPY_2_2 = tuple(int(part) for part in np.__version__.split(".")[:2]) >= (2, 2)


def test_all_ufuncs_are_found():
    assert UFUNC_NAMES == ["sigmoid", "sigmoid_grad", "sigmoid_and_grad", "sigmoid_backward",
                           "log_sigmoid", "logit"]


@pytest.mark.parametrize("name", UFUNC_NAMES)
@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip_is_the_same_object(name, protocol):
    ufunc = getattr(sigmoidx, name)
    assert pickle.loads(pickle.dumps(ufunc, protocol=protocol)) is ufunc


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_pickled_inside_a_structure(name):
    ufunc = getattr(sigmoidx, name)
    payload = {"f": ufunc, "fs": [ufunc, np.exp], "x": np.arange(3.0)}
    back = pickle.loads(pickle.dumps(payload))
    assert back["f"] is ufunc and back["fs"][0] is ufunc and back["fs"][1] is np.exp


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_copy_and_deepcopy_give_the_same_object(name):
    ufunc = getattr(sigmoidx, name)
    assert copy.copy(ufunc) is ufunc
    assert copy.deepcopy(ufunc) is ufunc


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_module_is_the_public_one(name):
    ufunc = getattr(sigmoidx, name)
    if NUMPY_2_2:
        assert ufunc.__module__ == "sigmoidx"
        # pickle then refers to the public name, not to the private extension module
        assert b"sigmoidx._core" not in pickle.dumps(ufunc)
    assert ufunc.__name__ == name


def test_unpickles_in_a_fresh_interpreter(tmp_path):
    """What a worker process does: load the pickle without having imported sigmoidx."""
    x = np.array([-745.0, -40.0, -1.0, 0.0, 1.0, 40.0, np.inf, np.nan])
    blob = tmp_path / "ufuncs.pkl"
    blob.write_bytes(pickle.dumps({name: getattr(sigmoidx, name) for name in UFUNC_NAMES}))
    np.save(tmp_path / "x.npy", x)
    script = (
        "import pickle, sys\n"
        "assert 'sigmoidx' not in sys.modules\n"
        "import numpy as np\n"
        "ufuncs = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "import sigmoidx\n"
        "x = np.load(sys.argv[2])\n"
        "for name, f in ufuncs.items():\n"
        "    assert f is getattr(sigmoidx, name), name\n"
        "    r = f(*[x] * f.nin)\n"
        "    print(name, np.stack(r if isinstance(r, tuple) else [r]).tobytes().hex())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(blob), str(tmp_path / "x.npy")],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = dict(line.split() for line in done.stdout.splitlines())
    for name in UFUNC_NAMES:
        f = getattr(sigmoidx, name)
        r = f(*[x] * f.nin)  # every input the same array
        assert lines[name] == np.stack(r if isinstance(r, tuple) else [r]).tobytes().hex()
