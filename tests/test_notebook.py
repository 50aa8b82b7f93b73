"""examples/sigmoidx_tour.ipynb runs top to bottom in a real Jupyter kernel.

nbclient starts an ipykernel on this very interpreter (a kernel spec written to a
temporary folder, so no installed "python3" spec can point elsewhere), from a
neutral working folder, and raises on the first cell that errors.
"""

import json
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import sigmoidx

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "sigmoidx_tour.ipynb"


def kernel_manager(folder):
    spec_dir = folder / "kernels" / "sigmoidx-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sigmoidx test kernel",
        "language": "python",
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},  # quiets the debugger's warning
    }))
    specs = KernelSpecManager(kernel_dirs=[str(folder / "kernels")])
    return KernelManager(kernel_name="sigmoidx-test", kernel_spec_manager=specs)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("notebook")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # first, make sure the kernel runs this interpreter and the installed sigmoidx
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        "import sys, sigmoidx\n"
        f"assert sys.executable == {sys.executable!r}, sys.executable\n"
        f"assert sigmoidx.__file__ == {sigmoidx.__file__!r}, sigmoidx.__file__\n"
    ))
    client = NotebookClient(nb, km=kernel_manager(folder), timeout=180, startup_timeout=120,
                            allow_errors=False, resources={"metadata": {"path": str(folder)}})
    client.execute()  # raises CellExecutionError on any error
    return nb


def outputs(nb):
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_the_stored_notebook_is_valid_and_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code), \
        "store the notebook without outputs (Kernel > Restart & Clear Output)"


def test_every_cell_ran_without_error(executed):
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
    assert not [out for out in outputs(executed) if out.output_type == "error"]


def test_plots_were_drawn(executed):
    images = [out for out in outputs(executed) if "image/png" in out.get("data", {})]
    assert len(images) >= 2


def test_help_and_checks_printed(executed):
    text = "".join(out.get("text", "") for out in outputs(executed) if out.output_type == "stream")
    assert "Logistic sigmoid, element-wise" in text and "Examples" in text  # help(sigmoid)
    assert "all identities hold" in text
    assert "sum of sigmoid_grad over 2,000,000 values" in text
