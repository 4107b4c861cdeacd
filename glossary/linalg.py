"""Linear algebra: characteristic polynomials, eigenpairs, SVD, low-rank approximation, PCA.

For a matrix of rational numbers (integers, fractions, decimals read exactly as
they print) the work is exact and stays small. The characteristic polynomial is
factored over the rationals, and the eigenspace of each irreducible factor p is
found once, by row reduction over the field of λ with p(λ) = 0: a root without a
short radical form costs no more than a rational one. Eigenvalues come out as
rationals, small radicals or ``CRootOf`` (the k-th root of p), never as Floats;
long exact tables are shown in the steps in decimals, and the steps say so.

Every result is checked against ``numpy.linalg`` (``verify``), with the exact
values evaluated by mpmath at 30 digits, so that an exact radical is never judged
by its float64 rounding.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.polys.rootoftools import ComplexRootOf

from . import _inputs, limits
from .derivation import Derivation, Part, Step, VerificationReport, helper
from .errors import GlossaryError

__all__ = [
    "characteristic_polynomial",
    "eigen",
    "low_rank_approximation",
    "pca",
    "svd",
]

#: The variable of every characteristic polynomial this module shows and factors.
_LAMBDA = sp.Symbol("lambda")
#: Significant digits of the decimal tables in the steps.
_DIGITS = 4
#: A matrix whose exact text is longer than this is shown in decimals in the steps.
_LONG_TEXT = 400
#: A cubic or quartic root is written with radicals only if each root is this small (count_ops).
_SMALL_RADICAL = 16
#: Entries kept in each cache of root values and printed roots (a long `mkdocs serve` stays small).
_CACHE_SIZE = 5000
_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(number: int) -> str:
    return str(number).translate(_SUBSCRIPT)


# -- roots of polynomials without short radical forms -------------------------------------------


class _CRootOf(ComplexRootOf):
    """SymPy's ``CRootOf``, evaluated fast: all roots of its polynomial by ``mpmath.polyroots``,
    put in CRootOf's documented order (real roots increasing, then complex roots by real part,
    the conjugate with the negative imaginary part first).

    SymPy isolates and refines a complex root by bisection, which takes seconds for
    a quintic; this takes milliseconds. Where the numbers cannot settle the order (two
    conjugate pairs with the same real part) SymPy's isolating interval picks the root.
    It prints exactly as ``CRootOf`` and equals SymPy's root numerically.
    """

    __slots__ = ()

    def _eval_evalf(self, prec: int, **kwargs: Any) -> sp.Expr:
        from mpmath.libmp import prec_to_dps

        digits = prec_to_dps(prec) + 5
        value = _root_value(self, digits)
        if value is None:  # pragma: no cover - mpmath did not converge: SymPy's own secant method
            return self.eval_approx(digits)._evalf(prec)
        real = sp.Float._new(value.real._mpf_, prec)
        if self.is_real:
            return real
        return real + sp.I * sp.Float._new(value.imag._mpf_, prec)

    # Printing the polynomial is the slow part of printing a root: once per root and printer.
    def _latex(self, printer: Any) -> Any:
        return _printed(self, printer)

    def _pretty(self, printer: Any) -> Any:
        return _printed(self, printer)

    def _sympystr(self, printer: Any) -> Any:
        return _printed(self, printer)


_PRINTED: dict[tuple[Any, ...], Any] = {}


def _printed(root: ComplexRootOf, printer: Any) -> Any:
    key = (type(printer).__name__, repr(sorted(printer._settings.items(), key=str)), root.poly, root.index)
    if len(_PRINTED) > _CACHE_SIZE:
        _PRINTED.clear()
    if key not in _PRINTED:
        _PRINTED[key] = printer._print_ComplexRootOf(root)
    return _PRINTED[key]


_CRootOf.__name__ = "CRootOf"  # what the printers show; pickling goes by the qualified name

_POLYROOTS: dict[tuple[Any, int], list[Any]] = {}
_ROOT_VALUES: dict[tuple[Any, int, int], Any] = {}


def _root_value(root: ComplexRootOf, digits: int) -> Any:
    """The root as an mpmath number to ``digits`` digits, or None if it cannot be told apart."""
    bucket = 15 * (digits // 15 + 1)
    known = (root.poly, root.index, bucket)
    if len(_ROOT_VALUES) > _CACHE_SIZE:
        _ROOT_VALUES.clear()
        _POLYROOTS.clear()
    if known not in _ROOT_VALUES:
        _ROOT_VALUES[known] = _find_root(root, bucket)
    return _ROOT_VALUES[known]


def _find_root(root: ComplexRootOf, bucket: int) -> Any:
    import mpmath

    key = (root.poly, bucket)
    values = _POLYROOTS.get(key)
    if values is None:
        coefficients = [int(c) for c in root.poly.all_coeffs()]
        with mpmath.workdps(bucket + 10):
            try:
                values = mpmath.polyroots(coefficients, maxsteps=500, extraprec=4 * bucket)
            except mpmath.libmp.NoConvergence:  # pragma: no cover - a pathological polynomial
                values = []
        _POLYROOTS[key] = values
    with mpmath.workdps(bucket + 10):
        ordered = _in_sympy_order(root.poly, values, bucket)
        if ordered is not None:
            return ordered[root.index]
        return _inside_interval(root, values, bucket)


def _in_sympy_order(poly: Any, values: list[Any], bucket: int) -> list[Any] | None:
    """The roots in CRootOf's documented order: real roots increasing, then complex roots by
    real part (a conjugate pair with the negative imaginary part first). None when the numbers
    cannot settle that order (two pairs with the same real part): then SymPy isolates them."""
    import mpmath

    if len(values) != poly.degree():
        return None
    size = 1 + max((abs(v) for v in values), default=0)
    tolerance = mpmath.mpf(10) ** (-(bucket // 2)) * size
    reals = sorted(mpmath.mpf(v.real) for v in values if abs(v.imag) <= tolerance)
    if len(reals) != poly.count_roots():
        return None
    pairs = sorted((mpmath.mpc(v) for v in values if abs(v.imag) > tolerance), key=lambda v: (v.real, v.imag))
    for i in range(0, len(pairs), 2):
        low, high = pairs[i], pairs[i + 1]
        if abs(low.real - high.real) > tolerance or not low.imag < 0 < high.imag:
            return None
        if i + 2 < len(pairs) and pairs[i + 2].real - high.real <= tolerance:
            return None
    return [*reals, *pairs]


def _inside_interval(root: ComplexRootOf, values: list[Any], bucket: int) -> Any:
    """The one value inside SymPy's isolating interval of the root (isolating is slow for
    complex roots, so this is the fallback), or None."""
    import mpmath

    interval = root._get_interval()
    tolerance = mpmath.mpf(10) ** (-bucket)
    if root.is_real:
        a, b = (_mp_rational(v) for v in (interval.a, interval.b))
        slack = tolerance * (1 + abs(a) + abs(b))
        inside = [mpmath.mpf(v.real) for v in values if a - slack <= v.real <= b + slack and abs(v.imag) <= slack]
    else:
        ax, bx, ay, by = (_mp_rational(v) for v in (interval.ax, interval.bx, interval.ay, interval.by))
        slack = tolerance * (1 + abs(ax) + abs(bx) + abs(ay) + abs(by))
        inside = [
            mpmath.mpc(v) for v in values if ax - slack <= v.real <= bx + slack and ay - slack <= v.imag <= by + slack
        ]
    return inside[0] if len(inside) == 1 else None


def _mp_rational(value: Any) -> Any:
    import mpmath

    return mpmath.mpf(int(value.numerator)) / int(value.denominator)


def _number(value: Any, digits: int = 30) -> complex:
    """A complex number from an exact value, evaluated by mpmath at ``digits`` (+10 guard) digits.

    Sums, products and powers of rationals, radicals and ``CRootOf`` are evaluated
    in one pass (each root found once), never through SymPy's adaptive evalf.
    """
    import mpmath

    with mpmath.workdps(digits + 10):
        return complex(_mp(sp.sympify(value), digits + 10))


def _mp(expr: sp.Expr, digits: int) -> Any:
    import mpmath

    if expr.is_Integer:
        return mpmath.mpf(int(expr))
    if expr.is_Rational:
        return mpmath.mpf(int(expr.p)) / int(expr.q)
    if expr is sp.I:
        return mpmath.mpc(0, 1)
    if isinstance(expr, ComplexRootOf):
        value = _root_value(expr, digits)
        return value if value is not None else mpmath.mpmathify(complex(expr.eval_approx(digits)))
    if expr.is_Add:
        return mpmath.fsum(_mp(term, digits) for term in expr.args)
    if expr.is_Mul:
        return mpmath.fprod(_mp(factor, digits) for factor in expr.args)
    if expr.is_Pow:
        base, exponent = expr.args
        if exponent.is_Integer:
            return _mp(base, digits) ** int(exponent)
        if exponent.is_Rational:
            return mpmath.power(_mp(base, digits), mpmath.mpf(int(exponent.p)) / int(exponent.q))
    value = sp.N(expr, digits)
    real, imaginary = value.as_real_imag()
    return mpmath.mpc(mpmath.mpf(str(real)), mpmath.mpf(str(imaginary)))


# -- exact algebra over Q(λ) with p(λ) = 0 -------------------------------------------------------


def _poly(value: Any) -> sp.Poly:
    return sp.Poly(value, _LAMBDA, domain=sp.QQ)


class _Field:
    """The numbers Q[λ]/(p) for a monic irreducible p: polynomials of degree below deg p."""

    def __init__(self, p: sp.Poly) -> None:
        self.p = p
        self.degree = p.degree()
        self.zero = _poly(0)
        self.one = _poly(1)

    def reduce(self, q: sp.Poly) -> sp.Poly:
        return q.rem(self.p)

    def mul(self, a: sp.Poly, b: sp.Poly) -> sp.Poly:
        return (a * b).rem(self.p)

    def inverse(self, a: sp.Poly) -> sp.Poly:
        return a.invert(self.p)

    def dot(self, u: Sequence[sp.Poly], v: Sequence[sp.Poly]) -> sp.Poly:
        return self.reduce(sum((a * b for a, b in zip(u, v, strict=True)), self.zero))

    @functools.cached_property
    def power_sums(self) -> list[sp.Rational]:
        """s_k = the sum of the k-th powers of the roots of p (Newton's identities), k < deg p."""
        c = [self.p.nth(self.degree - i) for i in range(self.degree + 1)]  # c[0] = 1
        sums = [sp.Integer(self.degree)]
        for k in range(1, self.degree):
            total = -k * c[k]
            for i in range(1, k):
                total -= c[i] * sums[k - i]
            sums.append(total)
        return sums

    def trace(self, q: sp.Poly) -> sp.Rational:
        """The sum of q(r) over all roots r of p: always rational."""
        q = self.reduce(q)
        return sum((q.nth(k) * self.power_sums[k] for k in range(self.degree)), sp.Integer(0))


def _null_space(field: _Field, rows: list[list[sp.Poly]]) -> list[list[sp.Poly]]:
    """A basis of the null space over the field: row reduction, one vector per free column
    (1 there, as ``sympy.Matrix.nullspace`` gives)."""
    m = [list(row) for row in rows]
    count, width = len(m), len(m[0])
    pivots: list[int] = []
    r = 0
    for c in range(width):
        pivot = next((i for i in range(r, count) if not m[i][c].is_zero), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        inverse = field.inverse(m[r][c])
        m[r] = [field.mul(inverse, e) for e in m[r]]
        for i in range(count):
            if i != r and not m[i][c].is_zero:
                factor = m[i][c]
                m[i] = [field.reduce(e - factor * f) for e, f in zip(m[i], m[r], strict=True)]
        pivots.append(c)
        r += 1
        if r == count:
            break
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [field.zero] * width
        vector[free] = field.one
        for row, c in enumerate(pivots):
            vector[c] = -m[row][free]
        basis.append(vector)
    return basis


def _at(q: sp.Poly, root: sp.Expr) -> sp.Expr:
    """The field element q at one root of p, exactly."""
    if q.degree() <= 0:
        return q.LC() if not q.is_zero else sp.Integer(0)
    if root.is_Rational:
        return q.eval(root)
    terms = [coefficient * root**power for (power,), coefficient in q.terms()]
    value = sp.Add(*terms)
    return value if isinstance(root, ComplexRootOf) else sp.expand(value)


def _radical_roots(expr: sp.Expr) -> list[sp.Expr] | None:
    """The roots of a cubic or quartic in radicals if every one is short and real roots carry no i."""
    p = sp.Poly(expr, _LAMBDA)
    found = sp.roots(p, cubics=True, quartics=True, multiple=True)
    if len(found) != p.degree() or any(sp.count_ops(r) > _SMALL_RADICAL for r in found):
        return None
    if sum(1 for r in found if not r.has(sp.I)) != p.count_roots():
        return None
    return found


def _order_key(z: complex) -> tuple[float, float]:
    # Conjugate roots share their real part exactly; rounding keeps them side by side.
    return (float(f"{z.real:.12g}"), z.imag)


@dataclass
class _Space:
    """An irreducible factor p of the characteristic polynomial, its roots and its eigenspace.

    ``basis`` spans the null space of A − λI over Q[λ]/(p): evaluated at each root
    it gives that root's eigenvectors.
    """

    field: _Field
    multiplicity: int
    basis: list[list[sp.Poly]]
    roots: list[sp.Expr]
    numbers: list[complex]
    form: str  # "rational", "radical" or "CRootOf"

    @property
    def p(self) -> sp.Poly:
        return self.field.p


def _exact_roots(p: sp.Poly, radical_degree: int) -> tuple[list[sp.Expr], str]:
    degree = p.degree()
    if degree == 1:
        return [-p.nth(0)], "rational"
    if degree == 2:
        b, c = p.nth(1), p.nth(0)
        root = sp.sqrt(b**2 - 4 * c)
        return [sp.expand((-b - root) / 2), sp.expand((-b + root) / 2)], "radical"
    if degree <= radical_degree:
        found = limits.attempt(_radical_roots, p.as_expr(), seconds=2)
        if found:
            return list(found), "radical"
    expression = p.as_expr()
    return [_CRootOf(expression, index) for index in range(degree)], "CRootOf"


def _spaces(A: sp.Matrix, radical_degree: int) -> tuple[sp.Poly, list[_Space]]:
    """The characteristic polynomial of a rational matrix and one `_Space` per irreducible factor."""
    n = A.rows
    polynomial = _poly(A.charpoly(_LAMBDA).as_expr())
    _, factors = polynomial.factor_list()
    spaces = []
    for factor, multiplicity in factors:
        field = _Field(_poly(factor.as_expr()).monic())
        rows = [[field.reduce(_poly(A[i, j] - (_LAMBDA if i == j else 0))) for j in range(n)] for i in range(n)]
        roots, form = _exact_roots(field.p, radical_degree)
        numbers = [_number(r, 20) for r in roots]
        order = sorted(range(len(roots)), key=lambda i: _order_key(numbers[i]))
        spaces.append(
            _Space(
                field,
                int(multiplicity),
                _null_space(field, rows),
                [roots[i] for i in order],
                [numbers[i] for i in order],
                form,
            )
        )
    return polynomial, spaces


def _factored(spaces: list[_Space]) -> sp.Expr:
    """The characteristic polynomial as the product of its monic irreducible factors."""
    return sp.Mul(
        *[
            space.p.as_expr() if space.multiplicity == 1 else sp.Pow(space.p.as_expr(), space.multiplicity)
            for space in spaces
        ],
        evaluate=False,
    )


def _rational(M: sp.Matrix) -> tuple[sp.Matrix | None, bool]:
    """M with rational entries (decimals read exactly as they print: 0.1 is 1/10) and whether any
    decimal was read; None if an entry is not a rational or decimal number."""
    entries, read = [], False
    for entry in M:
        if entry.is_Rational:
            entries.append(entry)
        elif entry.is_Float and entry.is_finite:
            entries.append(sp.Rational(str(entry)))
            read = True
        else:
            return None, False
    return sp.Matrix(M.rows, M.cols, entries), read


def _numbers_only(M: sp.Matrix, name: str, what: str) -> tuple[sp.Matrix, bool]:
    if M.free_symbols:
        symbols = ", ".join(sorted(str(s) for s in M.free_symbols))
        raise GlossaryError(f"{name} has symbolic entries ({symbols}); {what} needs numbers")
    exact, read = _rational(M)
    if exact is None:
        odd = next(e for e in M if not (e.is_Rational or e.is_Float))
        raise GlossaryError(
            f"{name} has the entry {odd}; {what} works with rational entries (integers, fractions such as "
            "sp.Rational(1, 3), or decimals): replace it by a rational number"
        )
    return exact, read


_DECIMALS_READ = (
    " (소수는 보이는 그대로의 분수로 읽었다. 예: 0.1 = 1/10)",
    " (decimals are read as the fractions they show, e.g. 0.1 = 1/10)",
)


def _matrix_step(A: sp.Matrix, read: bool) -> Step:
    """The first step of every matrix helper: the matrix, and how decimals in it were read."""
    return Step(
        "행렬 $A$" + (_DECIMALS_READ[0] if read else ""),
        "the matrix $A$" + (_DECIMALS_READ[1] if read else ""),
        _eq("A", A),
    )


# -- display helpers ----------------------------------------------------------------------------


def _short_float(value: float) -> sp.Expr:
    if value == 0:
        return sp.Integer(0)
    return sp.Float(float(f"{value:.{_DIGITS}g}"), _DIGITS)


def _decimal(z: complex, scale: float = 1.0) -> sp.Expr:
    tiny = 1e-12 * max(1.0, scale)
    real = _short_float(z.real if abs(z.real) > tiny else 0.0)
    if abs(z.imag) <= tiny:
        return real
    return real + _short_float(z.imag) * sp.I


def _decimal_matrix(M: Any) -> sp.Matrix:
    """A matrix of short decimals, from an exact Matrix or a NumPy array."""
    if isinstance(M, sp.MatrixBase):
        rows, cols, numbers = M.rows, M.cols, [_number(e, 15) for e in M]
    else:
        (rows, cols), numbers = M.shape, [complex(z) for z in M.ravel()]
    scale = max((abs(z) for z in numbers), default=1.0)
    return sp.Matrix(rows, cols, [_decimal(z, scale) for z in numbers])


def _is_long(value: Any) -> bool:
    """Whether an exact value is too long to read in a step: it holds a ``CRootOf`` (whose
    polynomial is printed with it), nested radicals, or long text."""
    items = value if isinstance(value, tuple) else (value,)
    for item in items:
        item = sp.sympify(item)
        if item.has(ComplexRootOf) or any(
            not power.base.is_Rational
            for power in item.atoms(sp.Pow)
            if power.exp.is_Rational and not power.exp.is_Integer
        ):
            return True
    return len(str(value)) > _LONG_TEXT


_AS_DECIMALS = (f" (유효숫자 {_DIGITS}자리의 소수로 나타냄)", f" (in decimals, {_DIGITS} significant digits)")
_IN_DECIMALS = (
    f" (유효숫자 {_DIGITS}자리의 소수로 나타냄. 정확한 값은 결과에 있다)",
    f" (in decimals, {_DIGITS} significant digits; the exact values are in the result)",
)


def _shown(ko: str, en: str, value: sp.Matrix, name: str) -> Step:
    """A step showing a matrix exactly, or in decimals (and saying so) when its exact form is long."""
    if _is_long(value):
        ko, en, value = ko + _IN_DECIMALS[0], en + _IN_DECIMALS[1], _decimal_matrix(value)
    return Step(ko, en, _eq(name, value))


def _largest(count: int, noun: str) -> str:
    """ "largest singular value" or "3 largest singular values"."""
    return f"largest {noun}" if count == 1 else f"{count} largest {noun}s"


def _lam(i: int) -> sp.Symbol:
    return sp.Symbol(f"lambda_{i}")


class _Label(sp.Symbol):
    """A name printed as the LaTeX it holds (the left-hand side of a shown equation)."""

    def _latex(self, printer: Any) -> str:
        return self.name

    def _pretty(self, printer: Any) -> Any:
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm(self.name)


class _MatrixLabel(sp.MatrixSymbol):
    """The name of a shown matrix: an equation with a matrix stays an equation when it is
    rebuilt after pickling (``Eq(Symbol, Matrix)`` would evaluate to False)."""

    def _latex(self, printer: Any) -> str:
        return self.name

    def _pretty(self, printer: Any) -> Any:
        from sympy.printing.pretty.stringpict import prettyForm

        return prettyForm(self.name)


def _eq(latex: str, value: Any) -> sp.Equality:
    """``name = value`` for a step, where the name is LaTeX."""
    if isinstance(value, sp.MatrixBase):
        return sp.Eq(_MatrixLabel(latex, *value.shape), sp.ImmutableMatrix(value), evaluate=False)
    return sp.Eq(_Label(latex), value, evaluate=False)


def _as_complex_vector(v: sp.Matrix) -> Any:
    import numpy as np

    return np.array([_number(e) for e in v], dtype=complex)


def _wrap_verify(method: str, check: Any) -> Any:
    """``verify`` that raises nothing but GlossaryError, whatever goes wrong inside."""

    def verify(points: int, seed: int) -> VerificationReport:
        try:
            return check(points, seed)
        except GlossaryError:
            raise
        except Exception as error:
            raise GlossaryError(f"{method}: the check could not run ({type(error).__name__}: {error})") from None

    return verify


# -- characteristic polynomial ------------------------------------------------------------


def _numeric_instances(matrices: list[sp.Matrix], points: int, seed: int, extra: Sequence[Any] = ()):
    """Yield (values, numeric matrices, numeric extras) for random values of the symbols.

    Everything is lambdified once, so hundreds of instances cost milliseconds.
    """
    import numpy as np

    from .numeric import sample_symbols

    symbols = sorted(
        set().union(*(m.free_symbols for m in matrices), *(sp.sympify(e).free_symbols for e in extra)),
        key=sp.default_sort_key,
    )
    if not symbols:
        yield (
            {},
            [np.array([[_number(e) for e in row] for row in m.tolist()]) for m in matrices],
            [np.asarray(_number(e)) for e in extra],
        )
        return
    rng = np.random.default_rng(seed)
    samples = sample_symbols(symbols, points, rng)
    evaluate = sp.lambdify(symbols, [*matrices, *extra], modules="numpy")
    for i in range(points):
        values = {s: float(samples[s][i]) for s in symbols}
        outputs = evaluate(*values.values())
        numeric = [np.array(m, dtype=complex) for m in outputs[: len(matrices)]]
        yield values, numeric, [np.asarray(e, dtype=complex) for e in outputs[len(matrices) :]]


@helper
def characteristic_polynomial(A: Any, lam: Any) -> Derivation:
    """The monic polynomial det(λI − A) in ``lam``, whose roots are the eigenvalues of A.

    For a 2×2 matrix the steps also show λ² − tr(A)·λ + det(A), and the parts
    ``trace`` and ``determinant`` hold tr A and det A.

    Examples:
        >>> lam = sp.Symbol("lambda")
        >>> d = characteristic_polynomial(sp.Matrix([[2, 1], [1, 2]]), lam)
        >>> d.result
        lambda**2 - 4*lambda + 3
        >>> d.part("trace").value, d.part("determinant").value
        (4, 3)
    """
    A = _inputs.square_matrix(A, "A")
    lam = _inputs.symbol(lam, "lam")
    if lam in A.free_symbols:
        raise GlossaryError(f"lam {lam} already appears in A; pass a fresh symbol")
    n = A.rows
    exact, read = _rational(A) if not A.free_symbols else (None, False)
    work = exact if exact is not None else A
    shifted = work - lam * sp.eye(n)
    if exact is not None:
        result = sp.expand(exact.charpoly(lam).as_expr())
        determinant = sp.expand((-1) ** n * result)
    else:
        determinant = sp.expand(shifted.det(method="berkowitz"))
        result = sp.expand((-1) ** n * determinant)
    symbol = sp.latex(lam)
    text = sp.pretty(lam, use_unicode=True)
    steps = [
        _matrix_step(work, read),
        Step(
            rf"고윳값 방정식 $A\mathbf{{v}} = {symbol}\mathbf{{v}}$를 "
            rf"$(A - {symbol} I)\mathbf{{v}} = \mathbf{{0}}$으로 바꿔 쓴다",
            rf"rewrite $A\mathbf{{v}} = {symbol}\mathbf{{v}}$ as $(A - {symbol} I)\mathbf{{v}} = \mathbf{{0}}$",
            _eq(rf"A - {symbol} I", shifted),
        ),
        Step(
            rf"$\mathbf{{v}} \ne \mathbf{{0}}$인 해가 있을 조건: $\det(A - {symbol} I) = 0$",
            rf"a nonzero $\mathbf{{v}}$ exists exactly when $\det(A - {symbol} I) = 0$",
            _eq(rf"\det(A - {symbol} I)", determinant),
        ),
        Step(
            rf"최고차 계수를 1로 맞춘 특성다항식 $\det({symbol} I - A) = (-1)^{{n}} \det(A - {symbol} I)$",
            rf"the monic characteristic polynomial $\det({symbol} I - A) = (-1)^{{n}} \det(A - {symbol} I)$",
            _eq(rf"\det({symbol} I - A)", result),
            equals_previous=(n % 2 == 0),
        ),
    ]
    parts = [Part("polynomial", rf"\det({symbol} I - A)", f"det({text}I − A)", result)]
    if n == 2:
        trace, det = sp.expand(work.trace()), sp.expand(work.det())
        # λ² − (tr A)λ + det A with tr A and det A kept whole (a symbolic det A stays one term).
        shown_det = det if det.is_number else sp.UnevaluatedExpr(det)
        trace_form = lam**2 - trace * lam + shown_det
        promised = rf"{symbol}^{{2}} - (\operatorname{{tr}} A){symbol} + \det A"
        steps += [
            Step(
                f"2×2 행렬이면 ${promised}$",
                f"for a 2×2 matrix it is ${promised}$",
                _eq(promised, trace_form),
                equals_previous=True,
            ),
            Step(
                r"여기서 $\operatorname{tr} A$는 대각합(대각성분의 합), $\det A$는 행렬식",
                r"where $\operatorname{tr} A$ is the trace (the sum of the diagonal) and $\det A$ the determinant",
                (
                    _eq(r"\operatorname{tr} A", trace),
                    _eq(r"\det A", det),
                ),
            ),
        ]
        parts += [
            Part("trace", r"\operatorname{tr} A", "tr A", trace),
            Part("determinant", r"\det A", "det A", det),
        ]

    method = "numpy.poly (coefficients from numpy eigenvalues)"

    def check(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison(method, 1e-8)
        coefficients = sp.Poly(result, lam).all_coeffs()
        for values, (numeric,), actual in _numeric_instances([work], min(points, 200), seed, coefficients):
            expected = np.poly(numeric)
            scale = max(1.0, float(np.max(np.abs(expected))))
            comparison.add(expected / scale, np.array(actual, dtype=complex) / scale, values)
        return comparison.report()

    return Derivation(result, steps, _wrap_verify(method, check), parts=parts)


# -- eigenpairs -------------------------------------------------------------------------


def _eigen_parts(result: list[tuple[sp.Expr, int, list[sp.Matrix]]]) -> list[Part]:
    parts, vectors = [], []
    for i, (value, _, basis) in enumerate(result, 1):
        parts.append(Part(f"lambda_{i}", rf"\lambda_{{{i}}}", f"λ{_sub(i)}", value))
        vectors += basis
    for j, vector in enumerate(vectors, 1):
        parts.append(Part(f"v_{j}", rf"\mathbf{{v}}_{{{j}}}", f"v{_sub(j)}", vector))
    for i, (_, multiplicity, _) in enumerate(result, 1):
        parts.append(Part(f"multiplicity_{i}", rf"\mu_{{A}}(\lambda_{{{i}}})", f"μ_A(λ{_sub(i)})", multiplicity))
    return parts


def _eigenvalue_notes(numbers: list[complex], forms: set[str]) -> tuple[str, str]:
    ko, en = "", ""
    if any(abs(z.imag) > 1e-12 * (1 + abs(z)) for z in numbers):
        ko += " 실수 행렬도 복소수 고윳값을 가질 수 있고, 그런 고윳값은 켤레 쌍 $a \\pm bi$로 나온다."
        en += " A real matrix can have complex eigenvalues; they come in conjugate pairs $a \\pm bi$."
    if any(z.real < 0 and abs(z.imag) <= 1e-12 * (1 + abs(z)) for z in numbers):
        ko += " 음수 고윳값은 그 고유벡터 방향의 벡터를 반대쪽으로 뒤집는다."
        en += " A negative eigenvalue reverses the vectors along its eigenvectors."
    if "CRootOf" in forms:
        ko += (
            r" $\operatorname{CRootOf}(p, k)$는 $p$의 근 가운데 번호가 $k$인 근"
            "(번호는 0부터 매기며 실근에 작은 것부터 먼저 매긴다)이다."
            " 이 근들은 짧은 거듭제곱근 꼴이 없어 소수 근삿값을 함께 보인다."
        )
        en += (
            r" $\operatorname{CRootOf}(p, k)$ is root number $k$ of $p$ (counting from 0, real roots first in"
            " increasing order): these roots have no short radical form, so their decimals are shown with them."
        )
    return ko, en


@helper
def eigen(A: Any) -> Derivation:
    """Eigenpairs as ``[(eigenvalue, algebraic multiplicity, [eigenvectors]), ...]``.

    For a matrix of rational numbers the eigenvalues are exact (rationals, small
    radicals or ``CRootOf``), listed by increasing real part, then imaginary
    part; the eigenvectors of an eigenvalue span its eigenspace (fewer than the
    multiplicity when A is defective). The parts are ``lambda_i``, ``v_j`` and
    ``multiplicity_i``.

    Examples:
        >>> pairs = eigen(sp.Matrix([[2, 1], [1, 2]])).result
        >>> [(value, multiplicity, [list(v) for v in vectors]) for value, multiplicity, vectors in pairs]
        [(1, 1, [[-1, 1]]), (3, 1, [[1, 1]])]
    """
    A = _inputs.square_matrix(A, "A")
    exact, read = _rational(A)
    if exact is None:
        return _eigen_symbolic(A)
    return _eigen_exact(exact, read)


def _eigen_exact(A: sp.Matrix, read: bool) -> Derivation:
    polynomial, spaces = _spaces(A, radical_degree=4)
    entries = []  # (number, value, space, root position)
    for space in spaces:
        for position, (value, number) in enumerate(zip(space.roots, space.numbers, strict=True)):
            entries.append((number, value, space, position))
    entries.sort(key=lambda entry: _order_key(entry[0]))
    index = {id(entry): i for i, entry in enumerate(entries, 1)}
    result, numbers = [], []
    for number, value, space, _ in entries:
        vectors = [sp.Matrix([_at(q, value) for q in vector]) for vector in space.basis]
        result.append((value, space.multiplicity, vectors))
        numbers.append(number)

    factored = _factored(spaces)
    det_label = r"\det(\lambda I - A)"
    notes = _eigenvalue_notes(numbers, {space.form for space in spaces})
    steps = [
        _matrix_step(A, read),
        Step(
            r"특성다항식 $\det(\lambda I - A)$. 고윳값은 $\det(\lambda I - A) = 0$의 근이다",
            r"the characteristic polynomial $\det(\lambda I - A)$; the eigenvalues are the roots of "
            r"$\det(\lambda I - A) = 0$",
            _eq(det_label, polynomial.as_expr()),
        ),
        Step(
            "유리수 범위에서 인수분해한다",
            "factored over the rationals",
            _eq(det_label, factored),
            equals_previous=True,
        ),
    ]
    repeated = [i for i, (_, m, _) in enumerate(result, 1) if m > 1]
    repeat_ko = repeat_en = ""
    if repeated:
        named = ", ".join(rf"\mu_{{A}}(\lambda_{{{i}}}) = {result[i - 1][1]}" for i in repeated)
        repeat_ko = f" 중근의 중복도: ${named}$."
        repeat_en = f" Repeated roots: ${named}$."
    steps.append(
        Step(
            _sentences("고윳값(중복도 포함, 실수부가 작은 것부터)", repeat_ko + notes[0]),
            _sentences("the eigenvalues (with multiplicity), by increasing real part", repeat_en + notes[1]),
            tuple(sp.Eq(_lam(i), value, evaluate=False) for i, (value, _, _) in enumerate(result, 1)),
        )
    )
    if any(not value.is_Rational for value, _, _ in result):
        steps.append(
            Step(
                "같은 고윳값의 소수 근삿값",
                "the same eigenvalues in decimals",
                tuple(sp.Eq(_lam(i), _decimal(z), evaluate=False) for i, z in enumerate(numbers, 1)),
            )
        )
    # Eigenvectors: once per irreducible factor, in the order the factors' roots first appear.
    vector_numbers: dict[int, list[int]] = {}
    counter = 0
    for i, (_, _, vectors) in enumerate(result, 1):
        vector_numbers[i] = list(range(counter + 1, counter + len(vectors) + 1))
        counter += len(vectors)
    done: set[int] = set()
    for entry in entries:
        space = entry[2]
        if id(space) in done:
            continue
        done.add(id(space))
        members = [index[id(e)] for e in entries if e[2] is space]
        if space.field.degree == 1:
            steps += _rational_eigenspace_steps(A, members[0], result, vector_numbers)
        else:
            steps += _factor_eigenspace_steps(A, space, members, result, vector_numbers)

    method = "numpy.linalg.eigvals (matched with multiplicity), residuals |Av − λv| and eigenspace dimensions"

    def check(points: int, seed: int) -> VerificationReport:
        return _check_eigen(A, result, method)

    return Derivation(result, steps, _wrap_verify(method, check), parts=_eigen_parts(result))


def _sentences(first: str, more: str) -> str:
    """A caption, and the notes after it as further sentences (no full stop when there are none)."""
    return f"{first}.{more}" if more else first


def _defective_note(multiplicity: int, count: int) -> tuple[str, str]:
    if count >= multiplicity:
        return "", ""
    return (
        f" 중복도는 {multiplicity}인데 일차독립인 고유벡터는 {count}개뿐이다: $A$는 대각화할 수 없다"
        "(크기가 2 이상인 조르당 블록이 있다).",
        f" The multiplicity is {multiplicity} but there {'is' if count == 1 else 'are'} only {count} independent "
        f"eigenvector{'' if count == 1 else 's'}: $A$ is defective, not diagonalizable (it has a Jordan block of "
        "size 2 or more).",
    )


def _rational_eigenspace_steps(A, i, result, vector_numbers) -> list[Step]:
    value, multiplicity, vectors = result[i - 1]
    n = A.rows
    lam = rf"\lambda_{{{i}}}"
    note = _defective_note(multiplicity, len(vectors))
    steps = [
        Step(
            rf"${lam} = {sp.latex(value)}$: $(A - {lam} I)\mathbf{{v}} = \mathbf{{0}}$의 해공간에서 고유벡터를 얻는다",
            rf"${lam} = {sp.latex(value)}$: the eigenvectors span the null space of $A - {lam} I$",
            _eq(rf"A - {lam} I", A - value * sp.eye(n)),
        ),
        Step(
            "해공간의 기저" + note[0],
            "a basis of the null space" + note[1],
            tuple(_eq(rf"\mathbf{{v}}_{{{j}}}", v) for j, v in zip(vector_numbers[i], vectors, strict=True)),
        ),
    ]
    for j, v in zip(vector_numbers[i], vectors, strict=True):
        vj = rf"\mathbf{{v}}_{{{j}}}"
        steps += [
            Step(f"검산: $A{vj}$의 값", f"check: compute $A{vj}$", A * v),
            Step(f"결과는 ${lam}{vj}$의 값과 같다", f"it equals ${lam}{vj}$", value * v, equals_previous=True),
        ]
    return steps


def _factor_eigenspace_steps(A, space: _Space, members, result, vector_numbers) -> list[Step]:
    n = A.rows
    p = space.p.as_expr()
    names = ", ".join(rf"\lambda_{{{i}}}" for i in members)
    shifted = A - _LAMBDA * sp.eye(n)
    vectors_in_lambda = [sp.Matrix([q.as_expr() for q in vector]) for vector in space.basis]
    products, factored = [], []
    for vector in space.basis:
        column, quotients = [], []
        for i in range(n):
            entry = sum((_poly(A[i, j] - (_LAMBDA if i == j else 0)) * vector[j] for j in range(n)), _poly(0))
            quotient, remainder = entry.div(space.p)
            if not remainder.is_zero:  # pragma: no cover - the row reduction guarantees it
                raise GlossaryError("eigen: an eigenvector failed its own check; this is a bug in the library")
            column.append(entry.as_expr())
            quotients.append(quotient.as_expr())
        products.append(sp.Matrix(column))
        factored.append(sp.Matrix(quotients))
    note = _defective_note(space.multiplicity, len(space.basis))
    latex_p = sp.latex(p)
    steps = [
        Step(
            rf"$p(\lambda) = {latex_p}$의 근 ${names}$에 대한 계산은 한 번에 한다: "
            r"$p(\lambda) = 0$을 써서 $A - \lambda I$를 행 연산으로 소거한다",
            rf"the roots ${names}$ of $p(\lambda) = {latex_p}$ share one computation: row-reduce "
            r"$A - \lambda I$, using $p(\lambda) = 0$",
            _eq(r"A - \lambda I", shifted),
        ),
        Step(
            r"$p$의 모든 근 $\lambda$에 대해 해공간을 생성하는 벡터" + note[0],
            r"for every root $\lambda$ of $p$, the null space is spanned by" + note[1],
            tuple(_eq(r"\mathbf{v}(\lambda)", v) for v in vectors_in_lambda),
        ),
        Step(
            r"검산: $(A - \lambda I)\mathbf{v}(\lambda)$를 계산한다",
            r"check: compute $(A - \lambda I)\mathbf{v}(\lambda)$",
            sp.Matrix.hstack(*products),
        ),
        Step(
            r"각 성분을 $p(\lambda)$로 나누면 나머지가 0이다. 몫 $\mathbf{q}(\lambda)$에 대해 "
            r"$(A - \lambda I)\mathbf{v}(\lambda) = p(\lambda)\,\mathbf{q}(\lambda)$이므로 "
            r"$p$의 근에서는 $\mathbf{0}$이다",
            r"dividing each entry by $p(\lambda)$ leaves remainder 0: with the quotients $\mathbf{q}(\lambda)$, "
            r"$(A - \lambda I)\mathbf{v}(\lambda) = p(\lambda)\,\mathbf{q}(\lambda)$, which is $\mathbf{0}$ at every "
            r"root of $p$",
            _eq(r"\mathbf{q}(\lambda)", sp.Matrix.hstack(*factored)),
        ),
    ]
    shown = []
    for i in members:
        for j, v in zip(vector_numbers[i], result[i - 1][2], strict=True):
            shown.append((j, v))
    exact = tuple(_eq(rf"\mathbf{{v}}_{{{j}}}", v) for j, v in shown)
    ko, en = rf"따라서 ${names}$의 고유벡터", rf"so the eigenvectors of ${names}$ are"
    if _is_long(exact):
        ko, en = ko + _IN_DECIMALS[0], en + _IN_DECIMALS[1]
        exact = tuple(_eq(rf"\mathbf{{v}}_{{{j}}}", _decimal_matrix(v)) for j, v in shown)
    steps.append(Step(ko, en, exact))
    return steps


def _check_eigen(A: sp.Matrix, result, method: str) -> VerificationReport:
    """numpy.linalg.eigvals against the claimed eigenvalues (with multiplicity), residuals and ranks."""
    import numpy as np

    from .numeric import Comparison

    comparison = Comparison(method, 1e-8)
    numeric = np.array(A.tolist(), dtype=float)
    n = numeric.shape[0]
    scale = max(1.0, float(np.linalg.norm(numeric, 2)))
    claimed = []
    for value, multiplicity, vectors in result:
        z = _number(value)
        claimed += [z] * multiplicity
        for v in vectors:
            vector = _as_complex_vector(v)
            residual = numeric @ vector - z * vector
            comparison.add(0.0, np.linalg.norm(residual) / (scale * np.linalg.norm(vector)))
        # The eigenspace has the dimension the result claims, and the vectors are independent.
        singular = np.linalg.svd(numeric - z * np.eye(n), compute_uv=False)
        nullity = int(np.sum(singular <= 1e-9 * scale))
        comparison.add(float(nullity), float(len(vectors)))
        if vectors:
            stacked = np.array([_as_complex_vector(v) for v in vectors])
            comparison.add(float(len(vectors)), float(np.linalg.matrix_rank(stacked, tol=1e-9)))
    if len(claimed) != n:
        raise GlossaryError(f"eigen: multiplicities add up to {len(claimed)}, not {n}")
    expected = np.linalg.eigvals(numeric)
    partner = _pairing(np.abs(np.subtract.outer(np.array(claimed), expected)))
    # A root of multiplicity m moves by about (rounding)^(1/m) in floating point, but the mean
    # of its m computed copies stays accurate: compare each eigenvalue with that mean.
    start = 0
    for value, multiplicity, _ in result:
        mean = np.mean(expected[[partner[r] for r in range(start, start + multiplicity)]])
        comparison.add(mean / scale, _number(value) / scale)
        start += multiplicity
    return comparison.report()


def _pairing(distance: Any) -> dict[int, int]:
    """Pair rows with columns, closest pairs first (each row and column once)."""
    import numpy as np

    order = np.dstack(np.unravel_index(np.argsort(distance, axis=None), distance.shape))[0]
    rows: dict[int, int] = {}
    used: set[int] = set()
    for r, c in order.tolist():
        if r not in rows and c not in used:
            rows[r] = c
            used.add(c)
    return rows


def _eigen_symbolic(A: sp.Matrix) -> Derivation:
    """Eigenpairs of a matrix with symbols or irrational entries, by SymPy's own eigenvects."""
    n = A.rows
    lam = sp.Dummy("lambda")
    try:
        triples = A.eigenvects()
        polynomial = sp.expand((lam * sp.eye(n) - A).det(method="berkowitz"))
    except (NotImplementedError, sp.matrices.exceptions.MatrixError) as error:
        raise GlossaryError(f"SymPy cannot express the eigenvectors of A = {A.tolist()}: {error}") from None
    result = [(value, int(mult), [sp.Matrix(v) for v in vectors]) for value, mult, vectors in triples]
    shown = _LAMBDA if _LAMBDA not in A.free_symbols else sp.Symbol("mu")
    steps = [
        _matrix_step(A, False),
        Step(
            r"특성방정식 $\det(\lambda I - A) = 0$",
            r"the characteristic equation $\det(\lambda I - A) = 0$",
            sp.Eq(polynomial.subs(lam, shown), 0),
        ),
        Step(
            "고윳값(중복도 포함)",
            "the eigenvalues (with multiplicity)",
            tuple(sp.Eq(_lam(i), value, evaluate=False) for i, (value, _, _) in enumerate(result, 1)),
        ),
    ]
    j = 0
    for i, (value, multiplicity, vectors) in enumerate(result, 1):
        lam_i = rf"\lambda_{{{i}}}"
        note = _defective_note(multiplicity, len(vectors))
        steps.append(
            Step(
                rf"${lam_i}$: $(A - {lam_i} I)\mathbf{{v}} = \mathbf{{0}}$의 해공간에서 고유벡터를 얻는다" + note[0],
                rf"${lam_i}$: the eigenvectors span the null space of $A - {lam_i} I$" + note[1],
                tuple(vectors),
            )
        )
        for v in vectors:
            j += 1
            vj = rf"\mathbf{{v}}_{{{j}}}"
            steps.append(Step(f"검산: $A{vj}$의 값", f"check: compute $A{vj}$", A * v))
            steps.append(
                Step(f"결과는 ${lam_i}{vj}$의 값과 같다", f"it equals ${lam_i}{vj}$", value * v, equals_previous=True)
            )

    method = "numpy.linalg.eigvals and residuals |Av − λv|"

    def check(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison(method, 1e-8)
        for values, (numeric,), _ in _numeric_instances([A], min(points, 100), seed):
            expected = np.sort_complex(np.linalg.eigvals(numeric))
            claimed = []
            for value, mult, vectors in result:
                number = complex(sp.N(sp.sympify(value).subs(values), 30))
                claimed += [number] * mult
                for v in vectors:
                    vector = np.array([complex(sp.N(e.subs(values), 30)) for e in v], dtype=complex)
                    residual = numeric @ vector - number * vector
                    scale = np.linalg.norm(vector) * (1 + abs(number)) * max(1.0, float(np.linalg.norm(numeric)))
                    comparison.add(0.0, np.linalg.norm(residual) / scale, values)
            if len(claimed) != n:
                raise GlossaryError(f"eigen: multiplicities add up to {len(claimed)}, not {n}")
            comparison.add(_match(expected, np.array(claimed)), expected, values)
        return comparison.report()

    return Derivation(result, steps, _wrap_verify(method, check), parts=_eigen_parts(result))


def _match(reference, claimed):
    """Reorder ``claimed`` to pair each reference value with its nearest claim."""
    import numpy as np

    remaining = list(claimed)
    ordered = []
    for value in reference:
        index = int(np.argmin([abs(value - c) for c in remaining]))
        ordered.append(remaining.pop(index))
    return np.array(ordered)


# -- symmetric eigenproblems: SVD and PCA --------------------------------------------------------


@dataclass
class _Pair:
    """One eigenvalue of a symmetric rational matrix with one unit eigenvector.

    ``w`` is an orthogonal (not unit) eigenvector over the factor's field and ``norm``
    its squared length there, so that exact work can avoid square roots.
    """

    value: sp.Expr
    number: float
    space: _Space
    position: int
    w: list[sp.Poly]
    norm: sp.Poly
    unit: sp.Matrix


def _orthogonal(field: _Field, basis: list[list[sp.Poly]]) -> list[list[sp.Poly]]:
    """Gram–Schmidt over the field, without normalising (no square roots)."""
    done: list[tuple[list[sp.Poly], sp.Poly]] = []
    for vector in basis:
        w = list(vector)
        for u, inverse_norm in done:
            c = field.mul(field.dot(vector, u), inverse_norm)
            w = [field.reduce(a - c * b) for a, b in zip(w, u, strict=True)]
        done.append((w, field.inverse(field.dot(w, w))))
    return [w for w, _ in done]


def _unit(w: list[sp.Poly], norm: sp.Poly, root: sp.Expr) -> sp.Matrix:
    length = sp.sqrt(_at(norm, root))
    if not root.is_Rational and not isinstance(root, ComplexRootOf):
        length = sp.expand(sp.sqrtdenest(length))
    entries = [_at(q, root) / length for q in w]
    if not root.is_Rational and not isinstance(root, ComplexRootOf):
        entries = [sp.radsimp(e) if sp.count_ops(e) < 40 else e for e in entries]
    return sp.Matrix(entries)


def _symmetric_pairs(G: sp.Matrix) -> tuple[sp.Poly, list[_Space], list[_Pair]]:
    """Eigenvalues of a symmetric rational matrix, largest first, each with unit eigenvectors
    that are orthonormal across the whole list."""
    polynomial, spaces = _spaces(G, radical_degree=2)
    pairs = []
    for space in spaces:
        orthogonal = _orthogonal(space.field, space.basis)
        norms = [space.field.dot(w, w) for w in orthogonal]
        for position, (root, number) in enumerate(zip(space.roots, space.numbers, strict=True)):
            for w, norm in zip(orthogonal, norms, strict=True):
                pairs.append(_Pair(root, number.real, space, position, w, norm, _unit(w, norm, root)))
    pairs.sort(key=lambda pair: -pair.number)
    return polynomial, spaces, pairs


def _grouped_sums(pairs: list[_Pair], chosen: list[bool]) -> tuple[sp.Expr, sp.Expr]:
    """The sums of the chosen and of the other eigenvalues, written with as few roots as possible
    and so that their total is visibly the (rational) trace: the roots of one factor add up to a
    rational, so a factor whose roots are all chosen, or none, contributes a rational."""
    kept, dropped = sp.Integer(0), sp.Integer(0)
    for space in {id(pair.space): pair.space for pair in pairs}.values():
        counts = [0] * len(space.roots)
        for pair, take in zip(pairs, chosen, strict=True):
            if pair.space is space and take:
                counts[pair.position] += 1
        trace = -space.p.nth(space.field.degree - 1)  # the sum of the roots of the monic p
        whole = space.multiplicity * trace
        one, other = (
            _few_roots(counts, space.roots, trace),
            _few_roots([space.multiplicity - c for c in counts], space.roots, trace),
        )
        if len(other.atoms(ComplexRootOf)) + sp.count_ops(other) < len(one.atoms(ComplexRootOf)) + sp.count_ops(one):
            kept, dropped = kept + whole - other, dropped + other
        else:
            kept, dropped = kept + one, dropped + whole - one
    return sp.expand(kept), sp.expand(dropped)


def _few_roots(counts: list[int], roots: list[sp.Expr], trace: sp.Expr) -> sp.Expr:
    """Σ countᵣ·r, with the part common to all roots written as a multiple of their (rational) sum."""
    low = min(counts)
    return sp.expand(low * trace + sp.Add(*[(c - low) * root for c, root in zip(counts, roots, strict=True)]))


def _decimal_tuple(pairs: list[_Pair], symbol: str) -> tuple:
    return tuple(
        sp.Eq(sp.Symbol(f"{symbol}_{i}"), _decimal(complex(p.number)), evaluate=False) for i, p in enumerate(pairs, 1)
    )


_CROOT_NOTE = (
    r" $\operatorname{CRootOf}(p, k)$는 $p$의 실근 가운데 번호가 $k$인 근(번호는 0부터, 작은 것부터 매긴다)이다."
    " 짧은 거듭제곱근 꼴이 없어 소수 근삿값을 다음 단계에 보인다.",
    r" $\operatorname{CRootOf}(p, k)$ is real root number $k$ of $p$ (counting from 0, in increasing order): it has"
    " no short radical form, so the next step shows the decimals.",
)


def _svd_exact(A: sp.Matrix) -> tuple[list[_Space], list[_Pair], sp.Matrix]:
    gram = A.T * A
    _, spaces, pairs = _symmetric_pairs(gram)
    return spaces, pairs, gram


def _nonzero(pairs: list[_Pair]) -> list[_Pair]:
    return [pair for pair in pairs if not (pair.space.field.degree == 1 and pair.value == 0)]


def _u_column(A: sp.Matrix, pair: _Pair) -> sp.Matrix:
    """uᵢ = A vᵢ / σᵢ = (A w)(r) / √(r · |w|²(r)), exactly."""
    field = pair.space.field
    Aw = [field.reduce(sum((_poly(A[i, j]) * pair.w[j] for j in range(A.cols)), _poly(0))) for i in range(A.rows)]
    scale = field.mul(_poly(_LAMBDA), pair.norm)
    root = pair.value
    length = sp.sqrt(_at(scale, root))
    radical = not root.is_Rational and not isinstance(root, ComplexRootOf)
    if radical:
        length = sp.expand(sp.sqrtdenest(length))
    entries = [_at(q, root) / length for q in Aw]
    if radical:
        entries = [sp.radsimp(e) if sp.count_ops(e) < 40 else e for e in entries]
    return sp.Matrix(entries)


def _projector(pairs: list[_Pair], n: int) -> sp.Matrix:
    """Σ vᵢvᵢᵀ over the given pairs, which hold every root of each of their factors: rational."""
    P = sp.zeros(n, n)
    for pair in pairs:
        if pair.position:
            continue  # each factor once: its trace sums over all of its roots
        field = pair.space.field
        inverse = field.inverse(pair.norm)
        for a in range(n):
            for b in range(n):
                P[a, b] += field.trace(field.mul(field.mul(pair.w[a], pair.w[b]), inverse))
    return P


@helper
def svd(A: Any) -> Derivation:
    """The compact singular value decomposition ``(U, S, V)`` with ``A = U*S*V.T``.

    Singular values are the square roots of the nonzero eigenvalues of AᵀA,
    largest first; U and V have orthonormal columns. A must have rational
    entries; the result is exact. The parts are ``U``, ``Sigma``, ``V`` and
    ``sigma_i``.

    Examples:
        >>> U, S, V = svd(sp.Matrix([[3, 0], [0, 4]])).result
        >>> S
        Matrix([
        [4, 0],
        [0, 3]])
    """
    A = _inputs.matrix(A, "A")
    A, read = _numbers_only(A, "A", "svd")
    if A.is_zero_matrix:
        raise GlossaryError(f"A = {A.tolist()} is the zero matrix; its compact SVD has no singular values")
    spaces, pairs, gram = _svd_exact(A)
    kept = _nonzero(pairs)
    sigmas = [sp.sqrt(pair.value) for pair in kept]
    sigmas = [
        sp.expand(sp.sqrtdenest(s)) if not (p.value.is_Rational or isinstance(p.value, ComplexRootOf)) else s
        for s, p in zip(sigmas, kept, strict=True)
    ]
    V = sp.Matrix.hstack(*[pair.unit for pair in kept])
    U = sp.Matrix.hstack(*[_u_column(A, pair) for pair in kept])
    S = sp.diag(*sigmas)
    P = _projector(kept, A.cols)
    forms = {pair.space.form for pair in pairs}
    croot = "CRootOf" in forms
    steps = [
        _matrix_step(A, read),
        Step(
            r"$A^{\top}A$를 만든다(대칭, 양의 준정부호)",
            r"form $A^{\top}A$ (symmetric, positive semi-definite)",
            _eq(r"A^{\top}A", gram),
        ),
        Step(
            r"$A^{\top}A$의 특성다항식을 유리수 범위에서 인수분해한다",
            r"the characteristic polynomial of $A^{\top}A$, factored over the rationals",
            _eq(r"\det(\lambda I - A^{\top}A)", _factored(spaces)),
        ),
        Step(
            r"$A^{\top}A$의 고윳값(큰 것부터). 모두 0 이상의 실수다" + (_CROOT_NOTE[0] if croot else ""),
            r"the eigenvalues of $A^{\top}A$, largest first: all real and non-negative"
            + (_CROOT_NOTE[1] if croot else ""),
            tuple(sp.Eq(_lam(i), pair.value, evaluate=False) for i, pair in enumerate(pairs, 1)),
        ),
    ]
    if any(not pair.value.is_Rational for pair in pairs):
        steps.append(
            Step("같은 고윳값의 소수 근삿값", "the same eigenvalues in decimals", _decimal_tuple(pairs, "lambda"))
        )
    steps += [
        _shown(
            r"특잇값 $\sigma_{i} = \sqrt{\lambda_{i}}$ (0이 아닌 것만)",
            r"the singular values $\sigma_{i} = \sqrt{\lambda_{i}}$ (the nonzero ones)",
            S,
            r"\Sigma",
        ),
        _shown(
            r"$V$: $A^{\top}A$의 정규직교 고유벡터",
            r"$V$: orthonormal eigenvectors of $A^{\top}A$",
            V,
            "V",
        ),
        _shown(
            r"$U$: $\mathbf{u}_{i} = A\mathbf{v}_{i} / \sigma_{i}$",
            r"$U$: $\mathbf{u}_{i} = A\mathbf{v}_{i} / \sigma_{i}$",
            U,
            "U",
        ),
        Step(
            r"$VV^{\top} = \sum_{i} \mathbf{v}_{i}\mathbf{v}_{i}^{\top}$: $A$의 행공간으로의 사영 행렬"
            "(켤레인 근들에 대한 합이라 유리수가 된다)",
            r"$VV^{\top} = \sum_{i} \mathbf{v}_{i}\mathbf{v}_{i}^{\top}$, the projection onto the row space of $A$"
            " (a sum over conjugate roots, so it is rational)",
            _eq(r"VV^{\top}", P),
        ),
        Step(
            r"$\mathbf{u}_{i}\sigma_{i} = A\mathbf{v}_{i}$이므로 $U\Sigma V^{\top} = AVV^{\top}$",
            r"$\mathbf{u}_{i}\sigma_{i} = A\mathbf{v}_{i}$, so $U\Sigma V^{\top} = AVV^{\top}$",
            _eq(r"U\Sigma V^{\top}", A * P),
        ),
        Step(
            r"$U\Sigma V^{\top}$를 계산하면 $A$가 된다",
            r"computing $U\Sigma V^{\top}$ gives back $A$",
            _eq("A", A),
            equals_previous=True,
        ),
    ]
    _confirm_projector(V, P)
    parts = [
        Part("U", "U", "U", U),
        Part("Sigma", r"\Sigma", "Σ", S),
        Part("V", "V", "V", V),
        *[Part(f"sigma_{i}", rf"\sigma_{{{i}}}", f"σ{_sub(i)}", s) for i, s in enumerate(sigmas, 1)],
    ]
    method = "numpy.linalg.svd and orthonormality"

    def check(points: int, seed: int) -> VerificationReport:
        return _check_svd(A, U, S, V, method)

    return Derivation((U, S, V), steps, _wrap_verify(method, check), parts=parts)


def _confirm_projector(V: sp.Matrix, P: sp.Matrix) -> None:
    """VVᵀ (evaluated at 30 digits) equals the rational projector computed from traces."""
    import numpy as np

    v = np.array([[_number(e) for e in row] for row in V.tolist()], dtype=complex)
    p = np.array(P.tolist(), dtype=float)
    if not np.allclose(v @ v.T, p, atol=1e-12 * max(1.0, float(np.abs(p).max()))):  # pragma: no cover
        raise GlossaryError("svd: the eigenvectors failed their own check; this is a bug in the library")


def _check_svd(A: sp.Matrix, U: sp.Matrix, S: sp.Matrix, V: sp.Matrix, method: str) -> VerificationReport:
    import numpy as np

    from .numeric import Comparison

    comparison = Comparison(method, 1e-9)
    numeric = np.array(A.tolist(), dtype=float)
    expected = np.linalg.svd(numeric, compute_uv=False)
    scale = max(1.0, float(expected[0]))
    rank = S.rows
    claimed = np.array([_number(S[i, i]).real for i in range(rank)])
    comparison.add(expected[:rank] / scale, claimed / scale)
    comparison.add(expected[rank:] / scale, np.zeros(len(expected) - rank))
    comparison.add(np.zeros(rank - 1), np.minimum(0.0, claimed[:-1] - claimed[1:]) / scale)  # non-increasing
    u = np.array([[_number(e) for e in row] for row in U.tolist()], dtype=complex)
    v = np.array([[_number(e) for e in row] for row in V.tolist()], dtype=complex)
    comparison.add(np.eye(rank).ravel(), (u.T @ u).ravel())
    comparison.add(np.eye(rank).ravel(), (v.T @ v).ravel())
    comparison.add(numeric.ravel() / scale, (u @ np.diag(claimed) @ v.T).ravel() / scale)
    return comparison.report()


@helper
def low_rank_approximation(A: Any, rank: Any) -> Derivation:
    """The best rank-``rank`` approximation of A and its squared Frobenius error.

    By the Eckart–Young theorem the error is the sum of the squares of the
    singular values that were dropped. The parts are ``approximation`` and ``error``.

    Examples:
        >>> approximation, error = low_rank_approximation(sp.Matrix([[3, 0], [0, 4]]), 1).result
        >>> approximation, error
        (Matrix([
        [0, 0],
        [0, 4]]), 9)
    """
    A = _inputs.matrix(A, "A")
    rank = _inputs.positive_int(rank, "rank")
    A, read = _numbers_only(A, "A", "low-rank approximation")
    if rank > min(A.shape):
        raise GlossaryError(f"rank {rank} exceeds min{A.shape} = {min(A.shape)}")
    if A.is_zero_matrix:
        raise GlossaryError(f"A = {A.tolist()} is the zero matrix; it has no singular values to keep")
    _, pairs, gram = _svd_exact(A)
    nonzero = _nonzero(pairs)
    kept = min(rank, len(nonzero))
    chosen = [i < kept for i in range(len(pairs))]  # pairs are sorted largest first, zeros last
    approximation = sp.zeros(*A.shape)
    for pair in pairs[:kept]:
        field = pair.space.field
        inverse = field.inverse(pair.norm)
        Aw = [field.reduce(sum((_poly(A[i, j]) * pair.w[j] for j in range(A.cols)), _poly(0))) for i in range(A.rows)]
        for a in range(A.rows):
            for b in range(A.cols):
                approximation[a, b] += _at(field.mul(field.mul(Aw[a], pair.w[b]), inverse), pair.value)
    approximation = approximation.applyfunc(lambda e: e if e.is_Rational else sp.expand(e))
    kept_sum, error = _grouped_sums(pairs, chosen)
    total = gram.trace()
    sigmas = sp.diag(*[sp.sqrt(pair.value) for pair in nonzero])
    name = f"A_{{{kept}}}"
    span = r"\mathbf{v}_{1}" + (rf", \dots, \mathbf{{v}}_{{{kept}}}" if kept > 1 else "")
    steps = [
        _matrix_step(A, read),
        _shown(
            r"특잇값 분해 $A = U\Sigma V^{\top}$의 특잇값",
            r"the singular values of the SVD $A = U\Sigma V^{\top}$",
            sigmas,
            r"\Sigma",
        ),
        _shown(
            rf"큰 특잇값 {kept}개만 남긴 ${name} = \sum_{{i \le {kept}}} "
            rf"\sigma_{{i}}\mathbf{{u}}_{{i}}\mathbf{{v}}_{{i}}^{{\top}}$:"
            f" 랭크가 {kept} 이하인 행렬 가운데 $A$에 가장 가깝다(에카르트-영 정리)",
            rf"keep the {_largest(kept, 'singular value')}: ${name} = \sum_{{i \le {kept}}} "
            rf"\sigma_{{i}}\mathbf{{u}}_{{i}}\mathbf{{v}}_{{i}}^{{\top}}$, the closest matrix of rank at most {kept} "
            "to $A$ (Eckart–Young)",
            approximation,
            name,
        ),
        Step(
            rf"오차의 프로베니우스 노름의 제곱: $A$의 행들을 ${span}$의 생성 공간으로 사영한 것이 ${name}$이므로 "
            rf"$\lVert A - {name} \rVert_F^{{2}} = \lVert A \rVert_F^{{2}} - \sum_{{i \le {kept}}} \sigma_{{i}}^{{2}}$",
            rf"the squared Frobenius error: ${name}$ is $A$ with its rows projected onto the span of ${span}$, so "
            rf"$\lVert A - {name} \rVert_F^{{2}} = \lVert A \rVert_F^{{2}} - \sum_{{i \le {kept}}} \sigma_{{i}}^{{2}}$",
            _eq(rf"\lVert A - {name} \rVert_F^{{2}}", sp.expand(total - kept_sum)),
        ),
        Step(
            rf"버린 특잇값들의 제곱합 $\sum_{{i > {kept}}} \sigma_{{i}}^{{2}}$과 같다",
            rf"it equals the sum of the squared singular values that were dropped, "
            rf"$\sum_{{i > {kept}}} \sigma_{{i}}^{{2}}$",
            _eq(r"\sum_{i > k} \sigma_{i}^{2}", error),
            equals_previous=True,
        ),
    ]
    parts = [
        Part("approximation", name, f"A{_sub(kept)}", approximation),
        Part("error", rf"\lVert A - {name} \rVert_F^{{2}}", f"‖A − A{_sub(kept)}‖²_F", error),
    ]
    method = "numpy.linalg.svd truncation"

    def check(points: int, seed: int) -> VerificationReport:
        import numpy as np

        from .numeric import Comparison

        comparison = Comparison(method, 1e-9)
        numeric = np.array(A.tolist(), dtype=float)
        u, s, vt = np.linalg.svd(numeric, full_matrices=False)
        scale = max(1.0, float(s[0]))
        expected = u[:, :rank] @ np.diag(s[:rank]) @ vt[:rank, :]
        claimed = np.array([[_number(e) for e in row] for row in approximation.tolist()], dtype=complex)
        comparison.add(expected.ravel() / scale, claimed.ravel() / scale)
        comparison.add(float(np.sum(s[rank:] ** 2)) / scale**2, _number(error) / scale**2)
        return comparison.report()

    return Derivation((approximation, error), steps, _wrap_verify(method, check), parts=parts)


# -- principal component analysis ----------------------------------------------------------


@helper
def pca(X: Any, k: Any, ddof: Any = 1) -> Derivation:
    """Principal components of the rows of X: ``(components, explained_variance)``.

    ``components`` is a d×k Matrix of unit directions (columns, each with its
    largest entry positive), and ``explained_variance`` the k largest
    eigenvalues of the covariance, largest first. The covariance divides by
    N − ddof: the sample covariance (N − 1, the default, as ``numpy.cov`` and
    scikit-learn) or, with ``ddof=0``, the population covariance (N). The
    parts are ``mean``, ``w_i``, ``lambda_i``, ``ratio_i`` (left out when the data
    have no variance at all) and ``reconstruction_error``.

    Examples:
        >>> X = sp.Matrix([[1, 1], [2, 2], [3, 3]])
        >>> components, variance = pca(X, 1).result
        >>> components.T, variance
        (Matrix([[sqrt(2)/2, sqrt(2)/2]]), [2])
        >>> pca(X, 1, ddof=0).result[1]
        [4/3]
    """
    X = _inputs.matrix(X, "X")
    k = _inputs.positive_int(k, "k")
    N, d = X.shape
    if N < 2:
        raise GlossaryError(f"X needs at least 2 samples (rows) for a sample covariance, got {N}")
    if k > d:
        raise GlossaryError(f"k = {k} exceeds the number of features d = {d}")
    ddof = _inputs.whole_number(ddof, "ddof", 0, N - 1)
    X, read = _numbers_only(X, "X", "PCA")
    mean = sp.Matrix([[sum(X[:, j]) / N for j in range(d)]])
    centered = X - sp.ones(N, 1) * mean
    scatter = centered.T * centered
    divisor = N - ddof
    covariance = scatter / divisor
    _, spaces, pairs = _symmetric_pairs(covariance)
    directions = []
    for pair in pairs:
        numbers = [_number(e, 15).real for e in pair.unit]
        largest = max(range(d), key=lambda i: abs(numbers[i]) - 1e-12 * i)
        directions.append(pair.unit if numbers[largest] > 0 else -pair.unit)
    W = sp.Matrix.hstack(*directions[:k])
    explained = [pair.value for pair in pairs[:k]]
    total = covariance.trace()
    # With no variance at all (every sample the same point) the ratios are 0/0: left out.
    ratios = (
        [] if total == 0 else [v / total if isinstance(v, ComplexRootOf) else sp.radsimp(v / total) for v in explained]
    )
    kept_sum, dropped_sum = _grouped_sums(pairs, [i < k for i in range(len(pairs))])
    reconstruction = sp.expand(sp.Rational(divisor, N) * dropped_sum)
    measured = sp.expand((scatter.trace() - divisor * kept_sum) / N)
    import numpy as np

    w_numbers = np.array([[_number(e) for e in row] for row in W.tolist()], dtype=complex).real
    projected = np.array(centered.tolist(), dtype=float) @ w_numbers

    divided = (
        f"$N - 1 = {divisor}$" if ddof == 1 else (f"$N = {divisor}$" if ddof == 0 else f"$N - {ddof} = {divisor}$")
    )
    kind_en = {1: "the sample covariance", 0: "the population covariance"}.get(ddof, "the covariance")
    kind_ko = {1: "표본 공분산", 0: "모공분산"}.get(ddof, "공분산")
    variance_ko = {1: "표본 분산", 0: "모분산"}.get(ddof, "분산")
    variance_en = {1: "sample variance", 0: "population variance"}.get(ddof, "variance")
    divisor_latex = {1: "N - 1", 0: "N"}.get(ddof, f"N - {ddof}")
    croot = any(space.form == "CRootOf" for space in spaces)
    steps = [
        Step(
            f"데이터 $X$: 샘플 $N = {N}$개(행), 특성 $d = {d}$개(열)" + (_DECIMALS_READ[0] if read else ""),
            f"the data $X$: $N = {N}$ samples (rows), $d = {d}$ features (columns)"
            + (_DECIMALS_READ[1] if read else ""),
            _eq("X", X),
        ),
        Step(
            r"표본 평균 $\bar{\mathbf{x}}$(열마다의 평균)",
            r"the sample mean $\bar{\mathbf{x}}$ (the mean of each column)",
            _eq(r"\bar{\mathbf{x}}", mean),
        ),
        Step(
            r"중심화한 데이터 $X_{c} = X - \mathbf{1}\bar{\mathbf{x}}$" + _AS_DECIMALS[0],
            r"centre the data: $X_{c} = X - \mathbf{1}\bar{\mathbf{x}}$" + _AS_DECIMALS[1],
            _eq("X_{c}", _decimal_matrix(centered)),
        ),
        Step(
            f"{kind_ko} 행렬 $C = X_{{c}}^{{\\top}} X_{{c}} / ({divisor_latex})$, 나누는 수는 {divided}",
            f"{kind_en} matrix $C = X_{{c}}^{{\\top}} X_{{c}} / ({divisor_latex})$: divided by {divided}",
            _eq("C", covariance),
        ),
        Step(
            "공분산 행렬의 특성다항식(유리수 범위에서 인수분해)",
            "the characteristic polynomial of the covariance matrix, factored over the rationals",
            _eq(r"\det(\lambda I - C)", _factored(spaces)),
        ),
        Step(
            f"고윳값 = 각 주성분 방향의 {variance_ko}(분모가 ${divisor_latex}$인 분산, 큰 것부터)"
            + (_CROOT_NOTE[0] if croot else ""),
            f"the eigenvalues: each is the {variance_en} (divisor ${divisor_latex}$) of the data projected onto "
            "its principal direction, largest first" + (_CROOT_NOTE[1] if croot else ""),
            tuple(sp.Eq(_lam(i), pair.value, evaluate=False) for i, pair in enumerate(pairs, 1)),
        ),
    ]
    if any(not pair.value.is_Rational for pair in pairs):
        steps.append(
            Step("같은 고윳값의 소수 근삿값", "the same eigenvalues in decimals", _decimal_tuple(pairs, "lambda"))
        )
    names = ", ".join(rf"\mathbf{{w}}_{{{j}}}" for j in range(1, k + 1))
    steps += [
        _shown(
            f"고윳값이 큰 고유벡터 {k}개(단위 벡터, 가장 큰 성분이 양수가 되게 부호를 골랐다): ${names}$",
            (
                "the unit eigenvector with the largest eigenvalue"
                if k == 1
                else f"the {k} unit eigenvectors with the largest eigenvalues"
            )
            + " (each signed so that its largest entry is "
            f"positive): ${names}$",
            W,
            "W",
        ),
        Step(
            rf"설명된 분산 비율 $\lambda_{{j}} / \operatorname{{tr}} C$. 전체 분산 $\operatorname{{tr}} C = "
            rf"{sp.latex(total)}$"
            + ("" if ratios else ". 모든 샘플이 한 점이어서 분산이 없으므로 비율은 정의되지 않는다"),
            rf"the explained variance ratio $\lambda_{{j}} / \operatorname{{tr}} C$, where the total variance is "
            rf"$\operatorname{{tr}} C = {sp.latex(total)}$"
            + ("" if ratios else ": every sample is the same point, so there is no variance and no ratio"),
            tuple(_eq(rf"\frac{{\lambda_{{{j}}}}}{{\operatorname{{tr}} C}}", r) for j, r in enumerate(ratios, 1))
            or _eq(r"\operatorname{tr} C", total),
        ),
        Step(
            "주성분으로 사영: $Z = X_{c} W$" + _AS_DECIMALS[0],
            "project onto the components: $Z = X_{c} W$" + _AS_DECIMALS[1],
            _eq("Z", _decimal_matrix(projected)),
        ),
        Step(
            r"평균 제곱 재구성 오차: 잔차는 사영과 직교하므로 $\frac{1}{N}\lVert X_{c} - ZW^{\top} \rVert_F^{2} = "
            r"\frac{1}{N}\left(\lVert X_{c} \rVert_F^{2} - \lVert Z \rVert_F^{2}\right)$",
            r"the mean squared reconstruction error: the residual is orthogonal to the projection, so "
            r"$\frac{1}{N}\lVert X_{c} - ZW^{\top} \rVert_F^{2} = "
            r"\frac{1}{N}\left(\lVert X_{c} \rVert_F^{2} - \lVert Z \rVert_F^{2}\right)$",
            _eq(r"\frac{1}{N}\lVert X_{c} - ZW^{\top} \rVert_F^{2}", measured),
        ),
        Step(
            rf"버린 고윳값의 합 × $({divisor_latex})/N$과 같다: 고윳값이 큰 성분을 남겨야 오차가 가장 작다",
            rf"it equals $({divisor_latex})/N$ × the sum of the dropped eigenvalues: keeping the components with "
            "the largest eigenvalues makes it smallest",
            _eq(rf"\frac{{{divisor_latex}}}{{N}}\sum_{{j > k}} \lambda_{{j}}", reconstruction),
            equals_previous=True,
        ),
    ]
    parts = [
        Part("mean", r"\bar{\mathbf{x}}", "x̄", mean),
        *[Part(f"w_{j}", rf"\mathbf{{w}}_{{{j}}}", f"w{_sub(j)}", W[:, j - 1]) for j in range(1, k + 1)],
        *[Part(f"lambda_{j}", rf"\lambda_{{{j}}}", f"λ{_sub(j)}", v) for j, v in enumerate(explained, 1)],
        *[
            Part(f"ratio_{j}", rf"\frac{{\lambda_{{{j}}}}}{{\operatorname{{tr}} C}}", f"λ{_sub(j)}/tr C", r)
            for j, r in enumerate(ratios, 1)
        ],
        Part(
            "reconstruction_error",
            r"\frac{1}{N}\lVert X_{c} - ZW^{\top} \rVert_F^{2}",
            "‖X_c − ZWᵀ‖²_F/N",
            reconstruction,
        ),
    ]
    method = "numpy.cov (same ddof) + numpy.linalg.eigh"

    def check(points: int, seed: int) -> VerificationReport:
        return _check_pca(X, k, ddof, W, explained, ratios, reconstruction, method)

    return Derivation((W, explained), steps, _wrap_verify(method, check), parts=parts)


def _check_pca(X, k, ddof, W, explained, ratios, reconstruction, method) -> VerificationReport:
    import numpy as np

    from .numeric import Comparison

    comparison = Comparison(method, 1e-9)
    data = np.array(X.tolist(), dtype=float)
    N = data.shape[0]
    cov = np.atleast_2d(np.cov(data, rowvar=False, ddof=ddof))
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    scale = max(1.0, float(values[0]))
    claimed = np.array([_number(v).real for v in explained])
    comparison.add(values[:k] / scale, claimed / scale)
    if ratios:
        comparison.add(values[:k] / np.sum(values), np.array([_number(r).real for r in ratios]))
    w = np.array([[_number(e) for e in row] for row in W.tolist()], dtype=complex)
    comparison.add(np.eye(k).ravel(), (w.T @ w).ravel())
    for j in range(k):
        residual = cov @ w[:, j] - claimed[j] * w[:, j]
        comparison.add(0.0, float(np.linalg.norm(residual)) / scale)
        gap = min((abs(values[j] - values[i]) for i in range(len(values)) if i != j), default=scale)
        if gap > 1e-6 * scale:  # a simple eigenvalue: the direction is numpy's, up to sign
            comparison.add(1.0, abs(complex(vectors[:, j] @ w[:, j])))
    centered = data - data.mean(axis=0)
    top = vectors[:, :k]
    residual = centered - centered @ top @ top.T
    expected_error = float(np.sum(residual**2)) / N
    comparison.add(expected_error / scale, _number(reconstruction).real / scale)
    return comparison.report()


# Imported lazily by SymPy's Add on first use: imported once in the parent instead of in every child.
limits.preload("sympy.tensor.tensor", "mpmath")
