"""Packaging: ``python -m build`` makes an sdist and a wheel (the wheel built from the
sdist, so the sdist must hold everything a build needs); the wheel installs into a
fresh venv, with NumPy from the package index, and imports from a neutral folder.

Slow-ish (two isolated builds and a venv, about a minute), but CI runs it.
"""

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import sigmoidx

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

ROOT = Path(__file__).resolve().parent.parent


def run(command, cwd, timeout=600):
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """sdist and wheel, built the way a release would be."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    sdists, wheels = sorted(out.glob("*.tar.gz")), sorted(out.glob("*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, list(out.iterdir())
    return sdists[0], wheels[0]


def test_sdist_has_everything_to_build(dist):
    sdist, _ = dist
    with tarfile.open(sdist) as tar:
        names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    sources = {path.relative_to(ROOT).as_posix()
               for pattern in ("csrc/*.c", "csrc/*.h", "sigmoidx/*.py", "sigmoidx/*.pyi",
                               "sigmoidx/include/*.h", "sigmoidx/*.pxd")
               for path in ROOT.glob(pattern)}
    assert any(name.endswith(".h") for name in sources) and any(name.endswith(".c") for name in sources)
    assert sources <= names, f"missing from the sdist: {sorted(sources - names)}"
    for needed in ("pyproject.toml", "setup.py", "README.md", "sigmoidx/py.typed"):
        assert needed in names, needed


def test_wheel_contents_and_metadata(dist):
    _, wheel = dist
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(metadata_name))
    assert any(n.startswith("sigmoidx/_core") and n.endswith((".so", ".pyd")) for n in names), names
    for needed in ("sigmoidx/__init__.py", "sigmoidx/__init__.pyi", "sigmoidx/py.typed",
                   "sigmoidx/__main__.py", "sigmoidx/__init__.pxd",  # the C and Cython API:
                   "sigmoidx/include/sigmoidx.h", "sigmoidx/include/sigmoidx_api.h"):
        assert needed in names, needed
    assert not any(n.startswith(("csrc/", "tests/")) for n in names)
    assert metadata["Name"] == "sigmoidx"
    requires = metadata.get_all("Requires-Dist")
    assert "numpy>=1.25" in requires, requires


def test_wheel_installs_into_a_fresh_venv_and_imports(dist, tmp_path):
    _, wheel = dist
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        cwd=tmp_path)  # numpy comes from the package index

    neutral = tmp_path / "elsewhere"
    neutral.mkdir()
    check = (
        "import pickle, sys, numpy as np, sigmoidx\n"
        "from pathlib import Path\n"
        "assert Path(sigmoidx.__file__).is_relative_to(Path(sys.prefix)), sigmoidx.__file__\n"
        "y = sigmoidx.sigmoid(np.array([-1.0, 0.0, 1.0]))\n"
        "assert abs(y[1] - 0.5) == 0 and abs(y[2] - 0.7310585786300049) < 1e-16, y\n"
        "assert float(sigmoidx.sigmoid_grad(40.0)) == 4.248354255291589e-18\n"
        "for t in 'efdg':\n"
        "    assert sigmoidx.sigmoid(np.zeros(3, t)).dtype == np.dtype(t)\n"
        "assert pickle.loads(pickle.dumps(sigmoidx.sigmoid)) is sigmoidx.sigmoid\n"
        "print(sigmoidx.__version__, np.__version__, sigmoidx.show_config()['kernel_level'])\n"
    )
    out = run([python, "-c", check], cwd=neutral)
    assert out.split()[0] == sigmoidx.__version__, out
    demo = run([python, "-m", "sigmoidx", "--no-timing"], cwd=neutral)
    assert "sigmoid_grad(x)" in demo and "finite difference" in demo
