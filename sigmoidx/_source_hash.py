"""Fingerprint of the sources an extension was built from.

setup.py compiles it into ``sigmoidx._core.source_hash``; the test suite
recomputes it over the checkout, so tests never run against a stale build.
Standard library only: setup.py loads this file before anything is built.
"""

import hashlib
from pathlib import Path

SOURCE_PATTERNS = ("csrc/*.c", "csrc/*.h", "sigmoidx/*.py", "sigmoidx/*.pyi",
                   "sigmoidx/include/*.h", "sigmoidx/*.pxd")


def source_hash(root):
    """SHA-256 (hex, first 16 digits) of the C and Python sources under ``root``."""
    root = Path(root)
    digest = hashlib.sha256()
    for pattern in SOURCE_PATTERNS:
        for path in sorted(root.glob(pattern)):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()[:16]
