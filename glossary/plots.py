"""Plots for the pages, drawn with matplotlib from the library's own results.

Each plot is an SVG string that is the same bytes on every run (fixed hash
salt, no date), with a transparent background and mid-grey axes so that it
reads on light and dark palettes, labelled in math so one picture serves both
languages.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import sympy as sp

__all__ = ["PLOTS", "render_plot"]

INK = "#8a8f98"
COLORS = ["#3f7fd9", "#e0683a", "#2ca58d", "#b457c9", "#d4a017"]


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _figure(width: float = 6.4, height: float = 3.6):
    import matplotlib

    plt = pyplot()

    plt.rcParams.update(
        {
            "svg.hashsalt": "glossary",
            "svg.fonttype": "path",
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


def activations() -> str:
    import numpy as np

    from . import neural

    t = sp.Symbol("t", real=True)
    grid = np.linspace(-5, 5, 401)
    plt, figure, _ = _figure(7.2, 3.2)
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
        ax.legend(fontsize=8)
    return _svg(plt, figure)


def normal_densities() -> str:
    import numpy as np
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
    axes.set_ylabel("$f(x)$")
    axes.legend()
    return _svg(plt, figure)


def binomial_pmf() -> str:
    import numpy as np
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
    axes.set_ylabel("$P(X=k)$")
    axes.legend()
    return _svg(plt, figure)


PCA_DATA = [[1, 2], [2, 1], [3, 5], [5, 3], [4, 4], [6, 7], [7, 6], [2, 2], [5, 6], [6, 5]]


def pca_axes() -> str:
    import numpy as np

    from . import linalg

    X = sp.Matrix(PCA_DATA)
    components, variance = linalg.pca(X, 2).result
    data = np.array(PCA_DATA, dtype=float)
    center = data.mean(axis=0)
    plt, figure, axes = _figure(4.8, 4.2)
    axes.scatter(data[:, 0], data[:, 1], s=18, color=COLORS[0], label="data")
    for j in range(2):
        direction = np.array([float(v) for v in components[:, j]])
        length = 2 * np.sqrt(float(variance[j]))
        axes.annotate(
            "", center + length * direction, center, arrowprops={"arrowstyle": "->", "color": COLORS[1 + j], "lw": 2}
        )
        axes.text(*(center + 1.08 * length * direction), f"$w_{j + 1}$", color=COLORS[1 + j])
    axes.set_aspect("equal")
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
    return _svg(plt, figure)


def svd_matrix() -> sp.Matrix:
    """A 4×4 matrix with singular values 16, 8, 4, 2: a Hadamard matrix times rational rotations,
    so that its SVD stays rational and exact."""
    hadamard = sp.Matrix([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
    rotation = sp.diag(sp.Matrix([[3, 4], [-4, 3]]) / 5, sp.Matrix([[5, 12], [-12, 5]]) / 13)
    return hadamard * sp.diag(8, 4, 2, 1) * rotation.T


def svd_error() -> str:
    import numpy as np

    from . import linalg

    A = svd_matrix()
    values = np.linalg.svd(np.array(A, dtype=float), compute_uv=False)
    errors = [float(linalg.low_rank_approximation(A, r).result[1]) for r in range(1, 5)]
    plt, figure, axes = _figure()
    axes.plot(range(1, 5), errors, "o-", label=r"$\|A - A_k\|_F^2$")
    axes.plot(
        range(1, 5),
        [float(np.sum(values[r:] ** 2)) for r in range(1, 5)],
        "x",
        color=COLORS[1],
        label=r"$\sum_{i>k} \sigma_i^2$",
    )
    axes.set_xlabel("$k$")
    axes.set_xticks(range(1, 5))
    axes.legend()
    return _svg(plt, figure)


def gradient_descent_path() -> str:
    import numpy as np

    from . import neural

    w, v = sp.symbols("w v", real=True)
    objective = w**2 + 4 * v**2
    plt, figure, axes = _figure(6.4, 4.0)
    W, V = np.meshgrid(np.linspace(-3.2, 3.2, 161), np.linspace(-2, 2, 121))
    axes.contour(W, V, W**2 + 4 * V**2, levels=12, colors=INK, linewidths=0.6, alpha=0.6)
    for rate, color in [(sp.Rational(1, 10), COLORS[0]), (sp.Rational(6, 25), COLORS[1])]:
        path = neural.gradient_descent(objective, [w, v], rate, [-3, sp.Rational(3, 2)], 15).result
        points = np.array([[float(a), float(b)] for a, b in path])
        axes.plot(points[:, 0], points[:, 1], "o-", ms=3, color=color, label=rf"$\eta = {sp.latex(rate)}$")
    axes.set_xlabel("$w$")
    axes.set_ylabel("$v$")
    axes.set_aspect("equal")
    axes.legend(loc="upper right")
    return _svg(plt, figure)


OVERFIT_TRAIN = [[0, 1], [1, 3], [2, 2], [3, 5], [4, 4], [5, 6], [6, 8], [7, 7]]
OVERFIT_VALIDATION = [[0.5, 2], [1.5, 2.5], [2.5, 3.5], [3.5, 4.5], [4.5, 5], [5.5, 7], [6.5, 7.5]]


def overfitting() -> str:
    from . import neural

    rows = neural.polynomial_fit(OVERFIT_TRAIN, OVERFIT_VALIDATION, 7).result
    plt, figure, axes = _figure()
    degrees = [r[0] for r in rows]
    axes.plot(degrees, [float(r[1]) for r in rows], "o-", label="train MSE")
    axes.plot(degrees, [float(r[2]) for r in rows], "s-", label="validation MSE")
    # Training error reaches exactly 0 at the top degree: a linear band near 0 keeps it on the plot.
    axes.set_yscale("symlog", linthresh=1e-2)
    axes.set_xlabel("polynomial degree")
    axes.legend()
    return _svg(plt, figure)


def gradient_depth() -> str:
    from . import neural

    plt, figure, axes = _figure()
    depths = list(range(1, 21))
    for name in ("sigmoid", "tanh"):
        maximum = float(neural.vanishing_gradient(getattr(neural, name), 1).result[0])
        bounds = [maximum**d for d in depths]
        axes.plot(depths, bounds, "o-", ms=3, label=rf"$(\max {name}')^L$" if name == "tanh" else r"$(1/4)^L$")
    axes.plot(depths, [1.5**d for d in depths], "^-", ms=3, label=r"$(1.5)^L$: $|w|\max g' > 1$")
    axes.set_yscale("log")
    axes.set_xlabel("depth $L$")
    axes.legend()
    return _svg(plt, figure)


PLOTS: dict[str, Callable[[], str]] = {
    "activations": activations,
    "normal-densities": normal_densities,
    "binomial-pmf": binomial_pmf,
    "pca-axes": pca_axes,
    "svd-error": svd_error,
    "gradient-descent-path": gradient_descent_path,
    "overfitting": overfitting,
    "gradient-depth": gradient_depth,
}


def render_plot(name: str) -> str:
    """The SVG text of a named plot."""
    return PLOTS[name]()
