"""scikit-learn: sigmoidx.sigmoid as a FunctionTransformer inside a Pipeline,
with sigmoidx.logit as its checked inverse."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

import sigmoidx

pytestmark = pytest.mark.integration  # starts other tools; deselect with -m "not integration"


@pytest.fixture
def data():
    rng = np.random.default_rng(11)
    X = rng.normal([0, 5, -3], [1, 10, 0.1], size=(300, 3))
    y = (X[:, 0] + 0.1 * X[:, 1] + rng.normal(0, 0.5, 300) > 0.5).astype(int)
    return X, y


def test_function_transformer_forward_values(data):
    X, _ = data
    transformer = FunctionTransformer(sigmoidx.sigmoid)
    out = transformer.fit_transform(X)
    assert out.tobytes() == sigmoidx.sigmoid(X).tobytes()


def test_inside_a_pipeline(data):
    X, y = data
    pipe = Pipeline([
        ("scale", StandardScaler()),
        ("squash", FunctionTransformer(sigmoidx.sigmoid, feature_names_out="one-to-one")),
        ("model", LogisticRegression()),
    ])
    pipe.fit(X, y)

    # the transformed features are exactly sigmoid of the standardised input
    scaler = pipe.named_steps["scale"]
    features = pipe[:-1].transform(X)
    assert features.tobytes() == sigmoidx.sigmoid(scaler.transform(X)).tobytes()
    assert features.min() > 0 and features.max() < 1
    assert list(pipe[:-1].get_feature_names_out(["a", "b", "c"])) == ["a", "b", "c"]

    accuracy = pipe.score(X, y)
    assert accuracy > 0.8

    # the fitted pipeline pickles (sigmoidx.sigmoid by reference) and clones
    restored = pickle.loads(pickle.dumps(pipe))
    assert restored.named_steps["squash"].func is sigmoidx.sigmoid
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    fresh = clone(pipe)
    assert fresh.named_steps["squash"].func is sigmoidx.sigmoid
    np.testing.assert_array_equal(fresh.fit(X, y).predict_proba(X), pipe.predict_proba(X))


def test_check_inverse_round_trip(data):
    X, _ = data
    transformer = FunctionTransformer(sigmoidx.sigmoid, inverse_func=sigmoidx.logit,
                                      check_inverse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn warns when func and inverse_func disagree
        squashed = make_pipeline(StandardScaler(), transformer).fit_transform(X)
    np.testing.assert_allclose(transformer.inverse_transform(squashed),
                               StandardScaler().fit_transform(X), rtol=1e-12, atol=1e-14)


def test_pandas_output(data):
    X, _ = data
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    pipe = make_pipeline(StandardScaler(),
                         FunctionTransformer(sigmoidx.sigmoid_grad, feature_names_out="one-to-one"))
    pipe.set_output(transform="pandas")
    out = pipe.fit_transform(frame)
    assert type(out) is pd.DataFrame and list(out.columns) == ["a", "b", "c"]
    assert out.index.equals(frame.index)
    expected = sigmoidx.sigmoid_grad(pipe[0].transform(frame).to_numpy())
    assert np.ascontiguousarray(out.to_numpy()).tobytes() == expected.tobytes()
    assert (out.to_numpy() <= 0.25).all()
