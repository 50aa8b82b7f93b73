"""sigmoidx's controller for threadpoolctl (>= 3.2, which lets a library register one).

threadpoolctl finds libraries among the shared objects loaded in the process: this
controller claims the one whose file name starts with ``_core`` and that exports
``sigmoidx_get_num_threads`` and ``sigmoidx_set_num_threads`` (csrc/module.c), and
calls those through ctypes, as it does for OpenBLAS or OpenMP.
"""


def make_controller(base):
    """The controller class, a subclass of ``threadpoolctl.LibController`` (``base``:
    threadpoolctl is imported only by the caller, and only if installed)."""

    class SigmoidxController(base):
        user_api = "sigmoidx"
        internal_api = "sigmoidx"
        filename_prefixes = ("_core",)
        check_symbols = ("sigmoidx_get_num_threads", "sigmoidx_set_num_threads")

        def get_num_threads(self):
            return self.dynlib.sigmoidx_get_num_threads()

        def set_num_threads(self, num_threads):
            from ._core import max_num_threads

            # threadpool_limits passes the limit as given; the pool takes 1 to its maximum
            limit = max(1, min(int(num_threads), max_num_threads))
            return self.dynlib.sigmoidx_set_num_threads(limit)

        def get_version(self):
            from . import __version__

            return __version__

    return SigmoidxController
