"""Dask: the ufuncs stay lazy on dask arrays and compute NumPy's bits, also on a
real dask.distributed cluster of two worker processes."""

import os

import dask
import dask.array as da
import distributed
import numpy as np
import pytest
from dask.callbacks import Callback

import sigmoidx
from family import assert_same_bits

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

FUNCTIONS = [sigmoidx.sigmoid, sigmoidx.sigmoid_grad]
EDGES = [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, -5e-324, 16.6, 36.74, 709.78, -720.0, -745.13]


def inputs(dtype, size=10_007):
    """Random values over the interesting range, plus the special ones; uneven length."""
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.uniform(-60, 60, size), rng.standard_normal(size), EDGES])
    with np.errstate(over="ignore"):
        return x.astype(dtype)


class TaskCounter(Callback):
    """Counts the tasks the local schedulers run (dask's own callback hook)."""

    def __init__(self):
        super().__init__()
        self.started = 0

    def _pretask(self, key, dsk, state):
        self.started += 1


@pytest.mark.parametrize("ufunc", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "longdouble"])
def test_lazy_and_bitwise_equal_to_numpy(ufunc, dtype):
    x = inputs(dtype)
    dx = da.from_array(x, chunks=1_999)  # uneven chunks, the last one short
    with TaskCounter() as counter:
        result = ufunc(dx)
        assert isinstance(result, da.Array)
        assert counter.started == 0, "calling the ufunc on a dask array computed something"
        assert result.dtype == np.dtype(dtype) and result.shape == x.shape
        assert result.chunks == dx.chunks
        computed = result.compute(scheduler="threads")
        assert counter.started >= dx.numblocks[0]
    assert_same_bits(computed, ufunc(x))


@pytest.mark.parametrize("ufunc", FUNCTIONS, ids=lambda f: f.__name__)
def test_result_dtype_known_without_computing(ufunc):
    """dask infers the dtype through the ufunc's type resolution, like np.exp's."""
    for dtype in ["int8", "uint16", "int32", "int64", "bool"]:
        dx = da.arange(10, chunks=3).astype(dtype)
        with TaskCounter() as counter:
            lazy = ufunc(dx)
        assert counter.started == 0
        assert lazy.dtype == np.exp(np.zeros(1, dtype)).dtype, dtype
        np.testing.assert_array_equal(lazy.compute(), ufunc(np.arange(10).astype(dtype)))


def test_two_dimensional_chunks_blockwise_and_elemwise_graph():
    x = inputs("float64", size=4_000)[:8_000].reshape(80, 100)
    dx = da.from_array(x, chunks=(30, 40))
    lazy = sigmoidx.sigmoid_grad(sigmoidx.sigmoid(dx) * 8 - 4).T
    expected = sigmoidx.sigmoid_grad(sigmoidx.sigmoid(x) * 8 - 4).T
    assert_same_bits(lazy.compute(scheduler="synchronous"), expected)
    # map_blocks (the ufunc applied to each NumPy block) gives the same bits too
    mapped = dx.map_blocks(sigmoidx.sigmoid, dtype=dx.dtype)
    assert_same_bits(mapped.compute(), sigmoidx.sigmoid(x))


def test_out_of_core_reduction_threaded():
    dx = da.random.default_rng(1).normal(0, 10, size=300_000, chunks=50_000)
    total = sigmoidx.sigmoid(dx).sum()
    assert isinstance(total, da.Array)
    x = dx.compute()
    np.testing.assert_allclose(total.compute(scheduler="threads"), sigmoidx.sigmoid(x).sum(),
                               rtol=1e-12)


@pytest.fixture(scope="module")
def client():
    """A real cluster: two worker processes, one thread each, no dashboard."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster, timeout="60s") as client:
            client.wait_for_workers(2, timeout=60)
            yield client


def _sigmoidx_location():
    import sigmoidx as imported  # in the worker: which sigmoidx, in which process

    return os.getpid(), imported.__file__, imported._core.source_hash


def test_distributed_reduction_over_sigmoid_grad(client):
    x = np.random.default_rng(2).normal(0, 20, size=1_000_000)
    dx = da.from_array(x, chunks=125_000)  # 8 chunks, spread over both workers
    lazy_grad = sigmoidx.sigmoid_grad(dx)
    total, mean, biggest = dask.compute(lazy_grad.sum(), lazy_grad.mean(), lazy_grad.max())

    expected = sigmoidx.sigmoid_grad(x)
    np.testing.assert_allclose(total, expected.sum(), rtol=1e-12)  # summation order differs
    np.testing.assert_allclose(mean, expected.mean(), rtol=1e-12)
    assert biggest == expected.max()
    # the elements themselves, gathered from the workers, are NumPy's bits
    assert_same_bits(lazy_grad.compute(), expected)

    # ...and they were computed in two other processes running this same installed build
    where = client.run(_sigmoidx_location)
    assert len(where) == 2
    pids = {pid for pid, _, _ in where.values()}
    assert len(pids) == 2 and os.getpid() not in pids
    assert {(path, built) for _, path, built in where.values()} == {
        (sigmoidx.__file__, sigmoidx._core.source_hash)}


def test_distributed_submit_ships_the_ufunc_by_reference(client):
    x = inputs("float32")
    futures = [client.submit(ufunc, x, pure=False) for ufunc in FUNCTIONS]
    for ufunc, future in zip(FUNCTIONS, futures):
        assert_same_bits(future.result(timeout=60), ufunc(x))
    # a ufunc handed through the scheduler comes back as the very same object
    assert client.submit(lambda f: f, sigmoidx.sigmoid).result(timeout=60) is sigmoidx.sigmoid
