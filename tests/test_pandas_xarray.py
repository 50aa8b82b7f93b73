"""pandas and xarray: their objects in, the same type out, labels kept, NumPy's values.

Both libraries dispatch NumPy ufuncs through ``__array_ufunc__``; sigmoidx's are
real ufuncs, so they get the same treatment as ``np.exp``.
"""

import dask.array as da
import numpy as np
import pandas as pd
import pytest
import xarray as xr

import sigmoidx
from family import assert_same_bits

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"

FUNCTIONS = [sigmoidx.sigmoid, sigmoidx.sigmoid_grad]
by_name = pytest.mark.parametrize("ufunc", FUNCTIONS, ids=lambda f: f.__name__)
VALUES = np.array([-745.0, -40.0, -2.5, -0.0, 0.0, 1.0, 36.75, np.inf, np.nan])


@by_name
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_series_in_series_out(ufunc, dtype):
    index = pd.Index([f"row{i}" for i in range(len(VALUES))], name="label")
    series = pd.Series(VALUES.astype(dtype), index=index, name="logits")
    result = ufunc(series)
    assert type(result) is pd.Series
    assert result.index.equals(index) and result.index.name == "label"
    assert result.name == "logits"
    assert result.dtype == np.dtype(dtype)
    assert_same_bits(result.to_numpy(), ufunc(VALUES.astype(dtype)))


@by_name
def test_series_with_a_datetime_index(ufunc):
    index = pd.date_range("2024-01-01", periods=len(VALUES), freq="h")
    result = ufunc(pd.Series(VALUES, index=index))
    assert type(result) is pd.Series and result.index.equals(index)
    assert_same_bits(result.to_numpy(), ufunc(VALUES))


@by_name
def test_dataframe_in_dataframe_out(ufunc):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {"a": rng.normal(0, 10, 50), "b": rng.normal(0, 50, 50), "c": np.arange(50)},
        index=pd.RangeIndex(100, 150, name="id"),
    )
    result = ufunc(frame)
    assert type(result) is pd.DataFrame
    assert result.index.equals(frame.index) and result.index.name == "id"
    assert list(result.columns) == ["a", "b", "c"]
    assert (result.dtypes == np.float64).all()  # int64 column -> float64, as np.exp
    for column in frame:
        assert_same_bits(result[column].to_numpy(), ufunc(frame[column].to_numpy()))


@by_name
def test_dataframe_with_nullable_floats_keeps_the_missing_values(ufunc):
    series = pd.Series([1.0, None, -2.0], dtype="Float64", index=["a", "b", "c"])
    result = ufunc(series)
    assert type(result) is pd.Series and result.dtype == "Float64"
    assert result.isna().tolist() == [False, True, False]
    assert result.index.tolist() == ["a", "b", "c"]
    np.testing.assert_array_equal(result.dropna().to_numpy(dtype=float), ufunc(np.array([1.0, -2.0])))


def data_array(values=VALUES):
    return xr.DataArray(
        values,
        dims="x",
        coords={"x": np.arange(len(values)) * 0.5, "tag": ("x", [f"p{i}" for i in range(len(values))])},
        name="logits",
        attrs={"units": "1"},
    )


@by_name
def test_dataarray_in_dataarray_out(ufunc):
    array = data_array()
    result = ufunc(array)
    assert type(result) is xr.DataArray
    assert result.dims == ("x",)
    xr.testing.assert_identical(result.coords.to_dataset(), array.coords.to_dataset())
    assert result.name == "logits"
    assert_same_bits(result.values, ufunc(VALUES))
    with xr.set_options(keep_attrs=True):
        assert ufunc(array).attrs == {"units": "1"}


@by_name
def test_dataarray_2d_and_dataset(ufunc):
    values = np.random.default_rng(4).normal(0, 8, (4, 6)).astype(np.float32)
    array = xr.DataArray(values, dims=("time", "site"),
                         coords={"time": pd.date_range("2024", periods=4), "site": list("abcdef")})
    result = ufunc(array)
    assert type(result) is xr.DataArray and result.dtype == np.float32
    xr.testing.assert_identical(result.coords.to_dataset(), array.coords.to_dataset())
    assert_same_bits(result.values, ufunc(values))

    dataset = xr.Dataset({"u": array, "v": array * 2})
    out = ufunc(dataset)
    assert type(out) is xr.Dataset and set(out.data_vars) == {"u", "v"}
    assert_same_bits(out["v"].values, ufunc(values * 2))


@by_name
def test_dask_backed_dataarray_stays_lazy(ufunc):
    values = np.random.default_rng(6).normal(0, 20, 10_000)
    array = data_array(values).chunk({"x": 1_500})
    result = ufunc(array)
    assert isinstance(result.data, da.Array)  # nothing computed yet
    assert result.chunks == array.chunks
    applied = xr.apply_ufunc(ufunc, array, dask="parallelized", output_dtypes=[values.dtype])
    assert isinstance(applied.data, da.Array)
    for lazy in (result, applied):
        computed = lazy.compute()
        assert_same_bits(computed.values, ufunc(values))
        assert computed.coords["tag"].values[-1] == "p9999"
