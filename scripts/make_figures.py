"""Draw the README's picture of sigmoidx: docs/sigmoid_curves.png.

Left: sigma(x) and sigma'(x) on [-8, 8] with the finite-difference slope of sigma
overlaid.  Right: sigma'(x) in the tails on a log scale, next to y*(1-y) computed
from the rounded y = sigma(x), which is 0 from x ~ 37.4 on.

    python scripts/make_figures.py [--output docs/sigmoid_curves.png]

Run it from anywhere with sigmoidx installed (pip install ".[test]").
"""

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# run from the repository root, the source folder (no compiled _core) would shadow
# the installed package: drop the script's own repository from the path
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, ROOT / "scripts")]

import sigmoidx  # noqa: E402

DEFAULT_OUTPUT = ROOT / "docs" / "sigmoid_curves.png"


def slope(x, h):
    """Central-difference slope of sigmoid, taken at -|x| (sigma' is even) to keep digits."""
    x = -np.abs(x)
    return (sigmoidx.sigmoid(x + h) - sigmoidx.sigmoid(x - h)) / (2 * h)


def draw(output):
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), dpi=100)

    x = np.linspace(-8, 8, 401)
    left.plot(x, sigmoidx.sigmoid(x), lw=2, label="σ(x)  sigmoid")
    left.plot(x, sigmoidx.sigmoid_grad(x), lw=2, label="σ′(x)  sigmoid_grad")
    left.plot(x[::16], slope(x[::16], 1e-5), "o", ms=5, mfc="none", color="k",
              label="finite-difference slope of σ")
    left.set_xlabel("x")
    left.set_title("σ and σ′", fontsize=11)
    left.grid(alpha=0.3)
    left.legend(loc="upper left", fontsize=9)

    xt = np.linspace(0, 740, 371)
    y = sigmoidx.sigmoid(xt)
    naive = y * (1 - y)
    right.semilogy(xt, sigmoidx.sigmoid_grad(xt), lw=2, color="C1", label="sigmoid_grad(x)")
    right.semilogy(xt, np.where(naive > 0, naive, np.nan), "--", lw=2, color="C3",
                   label="y·(1−y), y = sigmoid(x)")
    right.semilogy(xt[::20], slope(xt[::20], 1e-4), "o", ms=5, mfc="none", color="k",
                   label="finite-difference slope")
    right.axvline(37.43, ls=":", color="C3")
    right.annotate("y·(1−y) = 0 from x ≈ 37.4 on", (37.43, 1e-200), xytext=(90, 1e-260),
                   arrowprops={"arrowstyle": "->", "color": "C3"}, color="C3", fontsize=9)
    right.set_ylim(1e-323, 1)
    right.set_xlabel("x")
    right.set_title("σ′ in the tails (float64)", fontsize=11)
    right.grid(alpha=0.3)
    right.legend(loc="upper right", fontsize=9)

    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, metadata={"Software": None}, pil_kwargs={"optimize": True})
    plt.close(fig)
    return output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="PNG file to write (default: docs/sigmoid_curves.png)")
    args = parser.parse_args(argv)
    path = draw(args.output)
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
