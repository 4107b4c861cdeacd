"""Plots for the pages, drawn with matplotlib from the verified result of a formula.

A plot belongs to a formula of an entry (``plot:`` in the entry file) and is
drawn from that formula's derivation and arguments, in Korean and in English.
Each plot is an SVG string that is the same bytes on every run (fixed hash salt,
no date), with a transparent background and mid-grey axes so that it reads on
light and dark palettes. This module imports nothing heavy until a plot is
drawn, so that the table of plots can validate entries on a warm build.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PLOTS", "Plot", "check_svg"]

INK = "#8a8f98"
COLORS = ["#3f7fd9", "#e0683a", "#2ca58d", "#b457c9", "#d4a017"]


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


KOREAN_FONT = "Noto Sans CJK KR"


def require_korean_font() -> None:
    """Korean labels need a font with Hangul; say how to get it instead of drawing empty boxes."""
    from matplotlib import font_manager

    try:
        font_manager.findfont(font_manager.FontProperties(family=KOREAN_FONT), fallback_to_default=False)
    except ValueError:
        from .errors import GlossaryError

        raise GlossaryError(
            f"Korean plot labels need the font {KOREAN_FONT!r}: install Debian's fonts-noto-cjk (`make site` does)"
        ) from None


def _figure(width: float = 6.4, height: float = 3.6):
    import matplotlib

    plt = pyplot()

    plt.rcParams.update(
        {
            "svg.hashsalt": "glossary",
            "svg.fonttype": "path",
            # Text becomes paths in the SVG, so readers need no font; the build needs both.
            "font.family": ["DejaVu Sans", KOREAN_FONT],
            "font.size": 10,
            "axes.edgecolor": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "text.color": INK,
            "axes.facecolor": "none",
            "figure.facecolor": "none",
            "legend.frameon": False,
            "axes.grid": True,
            "grid.color": INK,
            "grid.alpha": 0.25,
            "axes.prop_cycle": matplotlib.cycler(color=COLORS),
            "path.simplify": True,
        }
    )
    figure, axes = plt.subplots(figsize=(width, height))
    return plt, figure, axes


def _svg(plt, figure) -> str:
    buffer = io.StringIO()
    figure.tight_layout()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "glossary"}, transparent=True)
    plt.close(figure)
    return buffer.getvalue()


LABELS: dict[str, dict[str, str]] = {
    "ko": {
        "data": "데이터",
        "mean": "평균",
        "train": "훈련 오차 (MSE)",
        "validation": "검증 오차 (MSE)",
        "degree": "다항식 차수",
        "rank": "남긴 특이값 수 k",
        "depth": "깊이 L",
        "error": "오차",
        "density": "확률밀도 f(x)",
        "probability": "확률 P(X = k)",
        "exploding": "|w|·max g′ = 1.5일 때",
    },
    "en": {
        "data": "data",
        "mean": "mean",
        "train": "training error (MSE)",
        "validation": "validation error (MSE)",
        "degree": "polynomial degree",
        "rank": "singular values kept, $k$",
        "depth": "depth $L$",
        "error": "error",
        "density": "density $f(x)$",
        "probability": "probability $P(X=k)$",
        "exploding": "with |w|·max g′ = 1.5",
    },
}


def _float(value: Any) -> float:
    return float(complex(value).real)


def activations(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    import numpy as np
    import sympy as sp

    from . import neural

    t = sp.Symbol("t", real=True)
    grid = np.linspace(-5, 5, 401)
    plt, figure, _ = _figure(7.2, 3.4)
    figure.clear()
    left, right = figure.subplots(1, 2)
    for name, label in [
        ("sigmoid", r"$\sigma(t)$"),
        ("tanh", r"$\tanh t$"),
        ("relu", r"$\mathrm{ReLU}(t)$"),
        ("step", r"$\mathrm{step}(t)$"),
    ]:
        activation = getattr(neural, name)
        values = sp.lambdify(t, activation(t), "numpy")(grid)
        slopes = sp.lambdify(t, neural.derivative(activation, t).result, "numpy")(grid)
        left.plot(grid, np.broadcast_to(values, grid.shape), label=label)
        right.plot(
            grid,
            np.broadcast_to(slopes, grid.shape),
            label=label.replace("(t)", "'(t)").replace(r"\tanh t", r"\tanh' t"),
        )
    maximum, _ = neural.vanishing_gradient(neural.sigmoid, 1).result
    right.plot([0], [float(maximum)], "o", color=COLORS[0])
    right.annotate(
        rf"$\max \sigma' = {sp.latex(maximum)}$",
        (0, float(maximum)),
        xytext=(0.8, 0.55),
        color=INK,
        arrowprops={"arrowstyle": "->", "color": INK},
    )
    left.set_title("$g(t)$", color=INK)
    right.set_title("$g'(t)$", color=INK)
    left.set_ylim(-1.2, 2.2)
    right.set_ylim(-0.1, 1.2)
    for ax in (left, right):
        ax.set_xlabel("$t$")
        ax.legend(fontsize=9)
    return _svg(plt, figure)


def normal_densities(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    import numpy as np
    import sympy as sp
    import sympy.stats as stats

    x = sp.Symbol("x", real=True)
    grid = np.linspace(-6, 6, 481)
    plt, figure, axes = _figure()
    for mu, sigma in [(0, 1), (0, 2), (2, sp.Rational(1, 2))]:
        density = stats.density(stats.Normal("X", mu, sigma))(x)
        axes.plot(
            grid, sp.lambdify(x, density, "numpy")(grid), label=rf"$\mu={sp.latex(mu)},\ \sigma={sp.latex(sigma)}$"
        )
    axes.set_xlabel("$x$")
    axes.set_ylabel(LABELS[lang]["density"])
    axes.legend()
    return _svg(plt, figure)


def binomial_pmf(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    import numpy as np
    import sympy as sp
    import sympy.stats as stats

    plt, figure, axes = _figure()
    width = 0.27
    for offset, (n, p) in zip(
        (-width, 0, width), [(20, sp.Rational(1, 5)), (20, sp.Rational(1, 2)), (20, sp.Rational(3, 4))], strict=True
    ):
        table = stats.density(stats.Binomial("X", n, p)).dict
        ks = np.array([int(k) for k in table])
        axes.bar(ks + offset, [float(v) for v in table.values()], width=width, label=rf"$n={n},\ p={sp.latex(p)}$")
    axes.set_xlabel("$k$")
    axes.set_ylabel(LABELS[lang]["probability"])
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend()
    return _svg(plt, figure)


def pca_axes(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    """The data of the page, its mean, and each principal axis through the mean, ±√λ long."""
    import numpy as np

    data = np.array(arguments["X"].evalf(20), dtype=float)
    components, variances = derivation.result
    center = data.mean(axis=0)
    plt, figure, axes = _figure(4.8, 4.4)
    axes.scatter(data[:, 0], data[:, 1], s=22, color=COLORS[0], label=LABELS[lang]["data"], zorder=3)
    axes.plot(*center, "x", color=INK, ms=9, mew=2, label=LABELS[lang]["mean"], zorder=4)
    for j in range(components.cols):
        direction = np.array([_float(v) for v in components[:, j]])
        half = np.sqrt(_float(variances[j]))
        ends = np.array([center - half * direction, center + half * direction])
        axes.plot(
            ends[:, 0],
            ends[:, 1],
            "-",
            lw=2.5,
            color=COLORS[1 + j],
            label=rf"$w_{j + 1}$, $\pm\sqrt{{\lambda_{j + 1}}}$",
        )
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
    axes.legend(loc="upper left", fontsize=9)
    return _svg(plt, figure)


def svd_error(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    """Squared Frobenius error of the best rank-k approximation of the page's own matrix."""
    import numpy as np

    from . import linalg

    A = arguments["A"]
    _, S, _ = derivation.result
    ranks = list(range(1, S.rows + 1))
    errors = [_float(linalg.low_rank_approximation(A, r).result[1]) for r in ranks]
    values = np.linalg.svd(np.array(A.evalf(20), dtype=float), compute_uv=False)
    plt, figure, axes = _figure()
    axes.plot(ranks, errors, "o-", label=r"$\|A - A_k\|_F^2$")
    axes.plot(
        ranks,
        [float(np.sum(values[r:] ** 2)) for r in ranks],
        "x",
        color=COLORS[1],
        ms=9,
        label=r"$\sum_{i>k} \sigma_i^2$",
    )
    axes.set_xlabel(LABELS[lang]["rank"])
    axes.set_ylabel(LABELS[lang]["error"])
    axes.set_xticks(ranks)
    axes.legend()
    return _svg(plt, figure)


def gradient_descent_path(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    """The page's iterates on the contours of its objective (two parameters)."""
    import numpy as np
    import sympy as sp

    params = arguments["params"]
    if len(params) != 2:
        from .errors import GlossaryError

        raise GlossaryError("the gradient-descent-path plot needs exactly two parameters")
    points = np.array([[_float(a), _float(b)] for a, b in derivation.result])
    objective = sp.lambdify(params, arguments["f"], "numpy")
    span = np.abs(points).max(axis=0) * 1.2 + 0.5
    W, V = np.meshgrid(np.linspace(-span[0], span[0], 161), np.linspace(-span[1], span[1], 121))
    plt, figure, axes = _figure(6.4, 4.0)
    axes.contour(W, V, objective(W, V), levels=12, colors=INK, linewidths=0.6, alpha=0.6)
    axes.plot(points[:, 0], points[:, 1], "o-", ms=3, color=COLORS[1], label=rf"$\eta = {sp.latex(arguments['lr'])}$")
    axes.set_xlabel(f"${sp.latex(params[0])}$")
    axes.set_ylabel(f"${sp.latex(params[1])}$")
    axes.set_aspect("equal")
    axes.legend(loc="upper right")
    return _svg(plt, figure)


def overfitting(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    rows = derivation.result
    plt, figure, axes = _figure()
    degrees = [int(r[0]) for r in rows]
    axes.plot(degrees, [_float(r[1]) for r in rows], "o-", label=LABELS[lang]["train"])
    axes.plot(degrees, [_float(r[2]) for r in rows], "s-", label=LABELS[lang]["validation"])
    # Training error reaches exactly 0 at the top degree: a linear band near 0 keeps it on the plot.
    axes.set_yscale("symlog", linthresh=1e-2)
    axes.set_xlabel(LABELS[lang]["degree"])
    axes.set_xticks(degrees)
    axes.legend()
    return _svg(plt, figure)


def gradient_depth(derivation: Any, arguments: dict[str, Any], lang: str) -> str:
    from . import neural

    plt, figure, axes = _figure()
    depths = list(range(1, 21))
    for name in ("sigmoid", "tanh"):
        maximum = float(neural.vanishing_gradient(getattr(neural, name), 1).result[0])
        bounds = [maximum**d for d in depths]
        axes.plot(depths, bounds, "o-", ms=3, label=rf"$(\max {name}')^L$" if name == "tanh" else r"$(1/4)^L$")
    axes.plot(depths, [1.5**d for d in depths], "^-", ms=3, label=f"1.5ᴸ: {LABELS[lang]['exploding']}")
    axes.set_yscale("log")
    axes.set_xlabel(LABELS[lang]["depth"])
    axes.set_xticks(depths[::2])
    axes.legend()
    return _svg(plt, figure)


Draw = Callable[[Any, dict[str, Any], str], str]


@dataclass(frozen=True)
class Plot:
    """A picture: which helpers' results it can draw, the function that draws it, its alt text."""

    name: str
    helpers: tuple[str, ...]
    draw: Draw
    alt: dict[str, str]


PLOTS: dict[str, Plot] = {
    plot.name: plot
    for plot in (
        Plot(
            "activations",
            ("neural.derivative",),
            activations,
            {
                "ko": "활성화 함수와 그 도함수, 시그모이드 도함수의 최댓값 1/4 표시",
                "en": "Activation functions and their derivatives, with the sigmoid derivative's maximum 1/4 marked",
            },
        ),
        Plot(
            "normal-densities",
            ("probability.moments",),
            normal_densities,
            {
                "ko": "평균과 표준편차가 다른 정규 분포의 밀도",
                "en": "Normal densities with different means and standard deviations",
            },
        ),
        Plot(
            "binomial-pmf",
            ("probability.moments",),
            binomial_pmf,
            {"ko": "n = 20인 이항 분포의 확률질량함수", "en": "Binomial probability mass functions with n = 20"},
        ),
        Plot(
            "pca-axes",
            ("linalg.pca",),
            pca_axes,
            {"ko": "데이터와 평균을 지나는 주성분 축", "en": "The data and the principal axes through its mean"},
        ),
        Plot(
            "svd-error",
            ("linalg.svd",),
            svd_error,
            {
                "ko": "남긴 특이값 수에 따른 저랭크 근사 오차",
                "en": "Low-rank approximation error against the singular values kept",
            },
        ),
        Plot(
            "gradient-descent-path",
            ("neural.gradient_descent",),
            gradient_descent_path,
            {"ko": "등고선 위의 경사 하강법 경로", "en": "A gradient descent path on the contours of the objective"},
        ),
        Plot(
            "overfitting",
            ("neural.polynomial_fit",),
            overfitting,
            {
                "ko": "다항식 차수에 따른 훈련 오차와 검증 오차",
                "en": "Training and validation error against the polynomial degree",
            },
        ),
        Plot(
            "gradient-depth",
            ("neural.vanishing_gradient",),
            gradient_depth,
            {"ko": "깊이에 따른 기울기 크기의 상한", "en": "The bound on the gradient size against depth"},
        ),
    )
}

_SVG_REFUSED = re.compile(
    r"<\s*(script|foreignObject|iframe|object|embed|image|a|animate|set)\b|\son[a-z]+\s*=|javascript:|data:text/html|(?:xlink:)?href\s*=\s*[\"'](?!#)",
    re.I,
)


def check_svg(svg: str) -> bool:
    """Whether an SVG string is a plain drawing: no scripts, event handlers or outside references.

    Examples:
        >>> check_svg('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>')
        True
        >>> check_svg('<svg onload="alert(1)"></svg>')
        False
    """
    return isinstance(svg, str) and svg.lstrip().startswith(("<?xml", "<svg")) and not _SVG_REFUSED.search(svg)
