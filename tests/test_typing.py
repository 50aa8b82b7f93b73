"""Typing: mypy reads the installed stubs (py.typed + __init__.pyi), accepts real use
and flags a misspelt name.  mypy runs as a subprocess, from a neutral folder, so it
sees the installed package as a user's project would."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import sigmoidx

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

GOOD = """
    import numpy as np
    import numpy.typing as npt
    import sigmoidx
    from sigmoidx import sigmoid, sigmoid_grad

    def activate(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return np.asarray(sigmoid(x), dtype=np.float64)

    ufunc: np.ufunc = sigmoidx.sigmoid_grad
    y = activate(np.linspace(-5.0, 5.0, 11))
    dy = sigmoid_grad(y, out=np.empty_like(y))
    n_in: int = sigmoidx.sigmoid.nin
    config = sigmoidx.show_config()
    level: str = config["kernel_level"]
    levels: list[str] = config["supported"]
    version: str = sigmoidx.__version__
    threads: int = config["num_threads"]
    previous: int = sigmoidx.set_num_threads(max(1, sigmoidx.get_num_threads() - 1))
    sigmoidx.set_num_threads(np.int64(previous))
    reveal_type(sigmoidx.sigmoid)
    reveal_type(sigmoidx.show_config)
"""

MISSPELT = """
    import numpy as np
    import sigmoidx

    y = sigmoidx.sigmod(np.zeros(3))
"""

WRONG_KEY = """
    import sigmoidx

    level = sigmoidx.show_config()["kernel"]
"""


@pytest.fixture(scope="module")
def mypy(tmp_path_factory):
    """Run mypy on a snippet; one cache shared by the runs keeps them quick."""
    folder = tmp_path_factory.mktemp("mypy")

    def run(name, source):
        path = folder / f"{name}.py"
        path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
             "--show-error-codes", "--no-color-output", "--cache-dir", str(folder / ".cache"),
             path.name],
            cwd=folder, capture_output=True, text=True, timeout=300,
        )
        assert "error: " not in done.stderr, done.stderr
        return done.returncode, done.stdout

    return run


def test_installed_package_ships_the_stubs():
    package = Path(sigmoidx.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "__init__.pyi").is_file()


def test_mypy_accepts_real_use(mypy):
    status, out = mypy("good", GOOD)
    assert status == 0, out
    notes = [line for line in out.splitlines() if "Revealed type" in line]
    assert len(notes) == 2, out
    assert 'Revealed type is "numpy.ufunc"' in notes[0]
    assert "def () -> TypedDict(sigmoidx._Config" in notes[1], notes[1]


def test_mypy_flags_a_misspelt_name(mypy):
    status, out = mypy("misspelt", MISSPELT)
    assert status == 1, out
    assert 'misspelt.py:4: error: Module has no attribute "sigmod"' in out, out
    assert "[attr-defined]" in out


def test_mypy_flags_a_wrong_config_key(mypy):
    status, out = mypy("wrong_key", WRONG_KEY)
    assert status == 1, out
    assert '"kernel"' in out and "[typeddict-item]" in out, out


def test_mypy_flags_a_string_thread_count(mypy):
    status, out = mypy("threads_str", """
        import sigmoidx

        sigmoidx.set_num_threads("2")
    """)
    assert status == 1, out
    assert "threads_str.py:3: error:" in out and "[arg-type]" in out, out
