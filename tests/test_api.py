"""The public surface of SPEC section 2: names, shapes and the error hierarchy."""

from __future__ import annotations

import inspect

import pytest
import sympy as sp

import glossary
from glossary import calculus, linalg, neural, probability

CONTRACT = {
    calculus: ["partial", "gradient", "chain_rule"],
    linalg: ["characteristic_polynomial", "eigen", "svd", "pca"],
    probability: ["moments", "mle", "bayes"],
    neural: [
        "sigmoid",
        "relu",
        "step",
        "tanh",
        "derivative",
        "softmax",
        "cross_entropy",
        "mse",
        "softmax_cross_entropy_gradient",
        "gradient_descent",
        "backprop",
        "one_hot",
        "vanishing_gradient",
    ],
}


@pytest.mark.parametrize("module", list(CONTRACT), ids=lambda m: m.__name__)
def test_every_contract_name_is_exported(module):
    for name in CONTRACT[module]:
        assert name in module.__all__
        function = getattr(module, name)
        assert callable(function)
        assert ">>>" in (function.__doc__ or ""), f"{module.__name__}.{name} needs a runnable example"


@pytest.mark.parametrize("module", list(CONTRACT), ids=lambda m: m.__name__)
def test_every_public_function_has_a_runnable_example(module):
    for name in module.__all__:
        function = getattr(module, name)
        assert ">>>" in (function.__doc__ or ""), f"{module.__name__}.{name} has no example"


def test_importing_the_package_is_light():
    """SymPy loads on first use of a helper, not on `import glossary` (warm site builds rely on it)."""
    import subprocess
    import sys

    code = "import sys, glossary; print('sympy' in sys.modules); glossary.calculus; print('sympy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert output == ["False", "True"]


def test_top_level_exports():
    assert set(glossary.__all__) >= {
        "Derivation",
        "GlossaryError",
        "VerificationError",
        "calculus",
        "linalg",
        "probability",
        "neural",
    }
    assert issubclass(glossary.GlossaryError, ValueError)
    assert issubclass(glossary.VerificationError, glossary.GlossaryError)
    assert issubclass(glossary.DerivationTimeout, glossary.GlossaryError)


def test_derivation_shape():
    x = sp.Symbol("x")
    d = calculus.partial(x**2, x)
    assert isinstance(d, glossary.Derivation)
    assert d.result == 2 * x
    assert all(step.ko and step.en for step in d.steps)
    assert isinstance(d.latex, str)
    report = d.verify(points=10, seed=1)
    assert {"method", "points", "max_error", "tolerance"} <= set(report.as_dict())
    assert list(inspect.signature(d.verify).parameters) == ["points", "seed"]
    assert inspect.signature(d.verify).parameters["points"].default == 1000


def test_result_shapes():
    lam = sp.Symbol("lambda")
    A = sp.Matrix([[2, 1], [1, 2]])
    assert isinstance(linalg.characteristic_polynomial(A, lam).result, sp.Expr)
    _value, multiplicity, vectors = linalg.eigen(A).result[0]
    assert isinstance(multiplicity, int) and isinstance(vectors[0], sp.MatrixBase) and vectors[0].shape == (2, 1)
    _U, S, _V = linalg.svd(A).result
    assert S.is_diagonal()
    components, variance = linalg.pca(sp.Matrix([[1, 0], [0, 1], [2, 2]]), 1).result
    assert components.shape == (2, 1) and len(variance) == 1
    w = sp.Symbol("w")
    iterates = neural.gradient_descent(w**2, [w], sp.Rational(1, 2), [1], 2).result
    assert len(iterates) == 3 and all(isinstance(t, tuple) for t in iterates)


def test_exact_results_have_no_floats():
    lam = sp.Symbol("lambda")
    A = sp.Matrix([[1, 2], [2, 5]])
    for result in (linalg.characteristic_polynomial(A, lam).result, *linalg.svd(A).result):
        assert not sp.sympify(result).has(sp.Float)


def test_verify_rejects_bad_arguments():
    d = calculus.partial(sp.Symbol("x") ** 2, sp.Symbol("x"))
    with pytest.raises(glossary.GlossaryError, match="points"):
        d.verify(points=0)
    with pytest.raises(glossary.GlossaryError, match="seed"):
        d.verify(seed="zero")


def test_a_pathological_derivation_times_out():
    from glossary.derivation import time_limit

    with pytest.raises(glossary.DerivationTimeout, match="took longer"):
        with time_limit(0.2, "a slow loop"):
            while True:
                sp.expand((sp.Symbol("a") + 1) ** 40)
