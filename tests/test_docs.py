"""The documentation's examples run: the ufunc and module docstrings, show_config's,
and the ``>>>`` code blocks and python scripts of README.md, CONTRIBUTING.md and docs/*.md,
each parsed with doctest.DocTestParser."""

import doctest
import io
import pydoc
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sigmoidx

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

README = Path(__file__).resolve().parent.parent / "README.md"
DOCUMENTS = [README, README.parent / "CONTRIBUTING.md", *sorted((README.parent / "docs").glob("*.md"))]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def run_examples(text, name):
    """Run the doctest examples in ``text``; return (attempted, report of failures)."""
    test = doctest.DocTestParser().get_doctest(text, {}, name, None, 0)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    with np.printoptions(**np.get_printoptions()):  # examples may not leak print options
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    return result.attempted, out.getvalue()


def example_blocks(document):
    """A document's fenced python/pycon blocks that hold ``>>>`` examples."""
    text = document.read_text(encoding="utf-8")
    blocks = re.findall(r"^```(?:python|pycon|py)[ \t]*\n(.*?)^```", text, re.S | re.M)
    return [block for block in blocks if ">>>" in block]


UFUNC_NAMES = ["sigmoid", "sigmoid_grad", "sigmoid_and_grad", "sigmoid_backward", "log_sigmoid",
               "logit"]


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_ufunc_docstring_examples(name):
    doc = getattr(sigmoidx, name).__doc__
    assert "Examples\n--------" in doc, f"{name}.__doc__ has no Examples section"
    attempted, failures = run_examples(doc, f"sigmoidx.{name}")
    assert attempted >= 2
    assert not failures, failures


@pytest.mark.parametrize("obj", [sigmoidx, sigmoidx.show_config], ids=["module", "show_config"])
def test_module_and_show_config_examples(obj):
    """Their Examples, where they have some, must pass too."""
    attempted, failures = run_examples(obj.__doc__ or "", getattr(obj, "__name__", "sigmoidx"))
    assert not failures, failures


def test_every_document_is_found():
    names = {d.relative_to(README.parent).as_posix() for d in DOCUMENTS}
    assert {"README.md", "CONTRIBUTING.md", "docs/api.md", "docs/integrations.md"} <= names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_document_examples(document):
    blocks = example_blocks(document)
    if document.name in ("README.md", "api.md", "integrations.md"):
        assert blocks, f"{document.name} has no >>> examples"
    attempted, failures = run_examples("\n\n".join(blocks), document.name)
    assert attempted >= 4 or not blocks
    assert not failures, failures


SIGNATURES = {
    "sigmoid_and_grad": "sigmoid_and_grad(x[, out1, out2], / [, out=(None, None)], *, where=True",
    "sigmoid_backward": "sigmoid_backward(x1, x2, /, out=None, *, where=True",
}


@pytest.mark.parametrize("name", UFUNC_NAMES)
def test_numpy_style_sections_and_help(name):
    """help() (what a notebook shows) has the signature and the NumPy-style sections."""
    text = pydoc.render_doc(getattr(sigmoidx, name), renderer=pydoc.plaintext)
    assert SIGNATURES.get(name, f"{name}(x, /, out=None, *, where=True") in text
    for section in ("Parameters", "Returns", "See Also", "Examples"):
        assert re.search(rf"^ *{section}\n *-{{{len(section)}}}$", text, re.M), section


def script_blocks():
    """The documents' fenced python blocks without ``>>>``: whole scripts (recipes)."""
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        blocks = re.findall(r"^```python[ \t]*\n(.*?)^```", text, re.S | re.M)
        yield from ((document.name, block) for block in blocks if ">>>" not in block)


def test_document_scripts_run(tmp_path):
    """Each recipe (e.g. the dask.distributed one) runs as a script, from a neutral folder."""
    scripts = list(script_blocks())
    assert any("LocalCluster" in block for _, block in scripts), "the cluster recipe is gone"
    for number, (name, block) in enumerate(scripts):
        script = tmp_path / f"block_{number}.py"
        script.write_text(block, encoding="utf-8")
        done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, f"{name}: python block {number} failed:\n{block}\n{done.stderr}"


def test_readme_demo_command_runs_in_the_repository_root():
    """`python -m sigmoidx` at the root of the checkout, where the uncompiled source folder
    comes first on sys.path, still runs the installed build (README's first command)."""
    done = subprocess.run([sys.executable, "-m", "sigmoidx", "--no-timing"], cwd=README.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "sigmoid_grad(x)" in done.stdout and "finite difference" in done.stdout


def test_make_figures_script_draws_the_readme_picture(tmp_path):
    """scripts/make_figures.py runs and writes a small PNG (the README's picture)."""
    script = README.parent / "scripts" / "make_figures.py"
    output = tmp_path / "sigmoid_curves.png"
    done = subprocess.run([sys.executable, str(script), "--output", str(output)],
                          cwd=README.parent, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    data = output.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) < 100_000
    committed = README.parent / "docs" / "sigmoid_curves.png"
    assert committed.is_file() and committed.stat().st_size < 100_000
