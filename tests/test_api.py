"""The public surface of SPEC section 2: names, shapes and the error hierarchy."""

from __future__ import annotations

import inspect
import re

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
    assert report.helper == "calculus.partial" and d.helper == "calculus.partial"
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


def _slow_loop():
    while True:
        sp.expand((sp.Symbol("a") + 1) ** 40)


def test_a_pathological_derivation_times_out_and_the_interpreter_survives():
    from glossary import limits

    with limits.using(limits.Limits(seconds=0.5)):
        with pytest.raises(glossary.DerivationTimeout, match=r"took longer than 0\.5 s"):
            limits.run(_slow_loop, what="a slow loop")
        dense = sp.Matrix(7, 7, lambda i, j: sp.Symbol(f"a{i}{j}"))
        with pytest.raises(glossary.DerivationTimeout, match=r"linalg\.characteristic_polynomial"):
            linalg.characteristic_polynomial(dense * dense.T, sp.Symbol("lam"))
    # The caller goes on as if nothing happened.
    assert calculus.partial(sp.Symbol("x") ** 3, sp.Symbol("x")).result == 3 * sp.Symbol("x") ** 2


def _public_functions(module) -> set[str]:
    """Functions a module (or the modules of a package) defines without a leading underscore."""
    import pkgutil

    modules = [module]
    if hasattr(module, "__path__"):
        modules += [
            __import__(f"{module.__name__}.{info.name}", fromlist=["_"])
            for info in pkgutil.iter_modules(module.__path__)
        ]
    names = set()
    for each in modules:
        for name, value in vars(each).items():
            if not name.startswith("_") and inspect.isfunction(value) and value.__module__.startswith(module.__name__):
                names.add(name)
    return names


@pytest.mark.parametrize("module", list(CONTRACT), ids=lambda m: m.__name__)
def test_all_lists_exactly_the_public_functions(module):
    assert set(module.__all__) == _public_functions(module)


def test_the_registry_and_the_declared_helpers_agree_both_ways():
    from glossary.content.registry import HELPERS as ROWS
    from glossary.derivation import HELPERS as DECLARED

    assert set(ROWS) == set(DECLARED)
    for name, row in ROWS.items():
        assert row.function is DECLARED[name]
        parameters = list(inspect.signature(row.function).parameters)
        assert list(row.parameters) == parameters, name


def test_the_readme_table_lists_every_public_function():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in readme.splitlines() if line.startswith("| `")}
    for module in CONTRACT:
        family = module.__name__.split(".")[1]
        assert family in rows, family
        listed = set(re.findall(r"`(\w+)`", rows[family].split("|")[2]))
        assert listed == set(module.__all__), family


def test_derivations_carry_named_parts_that_print_and_display():
    d = neural.vanishing_gradient(neural.sigmoid, 10)
    keys = [part.key for part in d.parts]
    assert keys == ["max_derivative", "bound"]
    assert d.part("max_derivative").value == sp.Rational(1, 4)
    text = str(d)
    assert "= 1/4 ≈ 0.25" in text and "1/1048576 ≈ 9.537e-7" in text
    markdown = d._repr_markdown_()
    assert r"\frac{1}{4} \approx 0.25" in markdown
    with pytest.raises(glossary.GlossaryError, match="max_derivative, bound"):
        d.part("maximum")


def test_errors_survive_the_trip_from_a_child_process():
    import pickle

    from glossary.errors import EntryError, VerificationError

    for error in (
        VerificationError("mismatch", point={"x": 1.0}, expected=1.0, actual=2.0),
        EntryError("entries/a.yaml", "names.ko", "is missing"),
        glossary.DerivationTimeout("too slow"),
    ):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error) and again.__dict__ == error.__dict__
