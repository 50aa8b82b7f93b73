from typing import Final, SupportsIndex, TypedDict

import numpy as np

class _Config(TypedDict):
    version: str
    kernel_level: str
    supported: list[str]
    num_threads: int

sigmoid: Final[np.ufunc]
sigmoid_grad: Final[np.ufunc]
sigmoid_and_grad: Final[np.ufunc]
sigmoid_backward: Final[np.ufunc]
log_sigmoid: Final[np.ufunc]
logit: Final[np.ufunc]
kernel_level: Final[str]
supported_kernel_levels: Final[tuple[str, ...]]
__version__: Final[str]

def get_num_threads() -> int: ...
def set_num_threads(n: SupportsIndex) -> int: ...
def show_config() -> _Config: ...
def get_include() -> str: ...
