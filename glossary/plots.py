"""Plots for the pages, drawn with matplotlib from the verified result of a formula.

A plot belongs to a formula of an entry (``plot:`` in the entry file) and is
drawn from that formula's derivation and arguments, in Korean and in English.
Nothing a plot shows is copied into this module, with one stated exception:
the maximum-likelihood estimators are derived over any sample x₁ … xₙ, so the
likelihood plots evaluate them on the small samples in `SAMPLES`, which the
figure and its caption state.

Every figure is `WIDTH` inches wide and its labels are `LABEL_PX` pixels high
when the SVG is shown `PHONE_PX` pixels wide, as on a phone. Legends sit above
the axes, outside them; notes inside the axes are placed where they cover no
data. Each plot is an SVG string that is the same bytes on every run (fixed
hash salt, no date), with a transparent background and mid-grey ink so that it
reads on light and dark palettes. Text becomes paths, so readers need no font;
drawing needs DejaVu Sans and Noto Sans CJK KR (`require_korean_font`).
Mathtext has no Hangul, so a Korean label is words or math, and a line that
mixes them is made of separate strings (`_note`). This module imports nothing
heavy until a plot is drawn, so that the table of plots can validate entries on
a warm build.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["PLOTS", "SAMPLES", "Plot", "font_pixels", "require_korean_font"]

INK = "#8a8f98"
COLORS = ["#3f7fd9", "#e0683a", "#2ca58d", "#b457c9", "#d4a017"]
KOREAN_FONT = "Noto Sans CJK KR"

#: Width of every figure in inches (shown 480 CSS pixels wide on a wide screen).
WIDTH = 5.0
#: The narrow screen the labels are sized for, and the height of a label there.
PHONE_PX = 390
LABEL_PX = 12.0
#: The font size in points that is `LABEL_PX` high when a `WIDTH`-inch figure is shown `PHONE_PX` wide.
FONT_PT = LABEL_PX * WIDTH * 72 / PHONE_PX

#: The samples on which the likelihood plots evaluate the derived estimators (stated in each caption).
SAMPLES: dict[str, tuple[int, ...]] = {
    "likelihood-bernoulli": (1, 0, 1, 1, 0, 1, 1, 1, 0, 1),
    "likelihood-normal": (2, 3, 5, 4, 6),
}


def font_pixels(points: float, width_inches: float, shown_px: float = PHONE_PX) -> float:
    """How many pixels high a font of ``points`` is when a figure ``width_inches`` wide is shown ``shown_px`` wide.

    Examples:
        >>> round(font_pixels(FONT_PT, WIDTH), 6)
        12.0
        >>> round(font_pixels(10, 6.4), 2)
        8.46
    """
    return points * shown_px / (width_inches * 72)


def pyplot():
    """matplotlib.pyplot on the Agg backend (no display), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _share_mathtext_parses()
    return plt


_MATHTEXT_PARSES: dict[tuple, Any] = {}


def _share_mathtext_parses() -> None:
    """Parse each mathtext label once per process instead of once per renderer.

    matplotlib keeps its mathtext parses in an ``lru_cache`` keyed by the parser, and every
    renderer (each layout pass and each saved SVG) makes a parser of its own, so a label
    such as ``$x$`` was parsed again in every pass of every figure: about 650 parses of 88
    labels for one drawing of the glossary's plots, a third of its time. The results are
    the same values (matplotlib's own cache already hands out one object to many callers);
    here they are kept by output type and the parse's arguments. If matplotlib's private
    method ever changes shape, nothing is replaced and plots are only slower.
    """
    from matplotlib import mathtext

    cached = getattr(mathtext.MathTextParser, "_parse_cached", None)
    parse = getattr(cached, "__wrapped__", None)
    if parse is None or getattr(cached, "shared_by_glossary", False):
        return

    def parse_once(self, s, dpi, prop, antialiased, load_glyph_flags):
        key = (self._output_type, s, dpi, prop, antialiased, load_glyph_flags)
        if key not in _MATHTEXT_PARSES:
            if len(_MATHTEXT_PARSES) >= 4096:
                _MATHTEXT_PARSES.clear()
            _MATHTEXT_PARSES[key] = parse(self, s, dpi, prop, antialiased, load_glyph_flags)
        return _MATHTEXT_PARSES[key]

    parse_once.shared_by_glossary = True
    parse_once.matplotlib_parse = parse
    mathtext.MathTextParser._parse_cached = parse_once


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


def _style(text_as_paths: bool = True) -> dict[str, Any]:
    import matplotlib

    return {
        "svg.hashsalt": "glossary",
        "svg.fonttype": "path" if text_as_paths else "none",
        "font.family": ["DejaVu Sans", KOREAN_FONT],
        "mathtext.fontset": "dejavusans",
        "font.size": FONT_PT,
        "axes.titlesize": FONT_PT,
        "axes.labelsize": FONT_PT,
        "xtick.labelsize": FONT_PT,
        "ytick.labelsize": FONT_PT,
        "legend.fontsize": FONT_PT,
        "figure.titlesize": FONT_PT,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "axes.titlecolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "text.color": INK,
        "axes.facecolor": "none",
        "figure.facecolor": "none",
        "savefig.facecolor": "none",
        "legend.frameon": False,
        "legend.handlelength": 1.6,
        "legend.columnspacing": 1.2,
        "axes.grid": True,
        "grid.color": INK,
        "grid.alpha": 0.25,
        "lines.linewidth": 2.0,
        "contour.negative_linestyle": "solid",
        "axes.prop_cycle": matplotlib.cycler(color=COLORS),
        "path.simplify": True,
    }


# -- labels -------------------------------------------------------------------------------------

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _say(lang: str, ko: str, en: str) -> str:
    """The label in ``lang``. A Korean label is words (any math in plain Unicode) or mathtext, never both."""
    if _HANGUL.search(ko) and "$" in ko:
        raise ValueError(f"a Korean label mixes Hangul and mathtext: {ko!r}")
    return ko if lang == "ko" else en


def _sub(number: int) -> str:
    return str(number).translate(_SUBSCRIPTS)


def _float(value: Any) -> float:
    return float(complex(value).real)


def _tex(value: Any) -> str:
    """Mathtext for an exact value; fractions inline (1/4), which stay legible at small sizes."""
    import sympy as sp

    return sp.latex(sp.sympify(value), fold_short_frac=True)


def _with_decimal(value: Any) -> str:
    """Mathtext of an exact value with its decimal beside a non-integer: ``1/4 \\approx 0.25``."""
    from .derivation import decimal_latex

    approximation = decimal_latex(value)
    return _tex(value) + (rf" \approx {approximation}" if approximation else "")


def _plain(value: Any) -> str:
    """An exact number in plain text for a Korean label: ``1/10``, ``√2``."""
    return str(value).replace("sqrt", "√")


def _numbers(values: Any, what: str) -> list[float]:
    """Floats of exact numbers; a symbol left in a value means the plot cannot be drawn from this formula."""
    import sympy as sp

    out = []
    for value in values:
        value = sp.sympify(value)
        if value.free_symbols:
            from .errors import GlossaryError

            raise GlossaryError(f"{what} needs numbers, but the derivation gives {value} (a symbol remains)")
        out.append(_float(value))
    return out


def _part(derivation: Any, key: str) -> Any:
    """The value of a named part, or None when the derivation does not name it."""
    for part in getattr(derivation, "parts", ()):
        if part.key == key:
            return part.value
    return None


def _activation_tex(activation: Any) -> str:
    name = getattr(activation, "__name__", "g")
    return {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "step": r"\mathrm{step}"}.get(
        name, rf"\mathrm{{{name}}}"
    )


# -- figures, legends and notes -----------------------------------------------------------------


def _new_figure(height: float, rows: int = 1, **options: Any):
    """A `WIDTH`-inch figure with constrained layout and ``rows`` axes stacked vertically."""
    figure = pyplot().figure(figsize=(WIDTH, height), layout="constrained")
    if rows == 1:
        return figure, figure.add_subplot(**options)
    return figure, figure.subplots(rows, 1, **options)


def _legend(figure: Any, handles: Sequence[Any], columns: int = 2) -> Any:
    """The legend above the axes, outside them, so that it covers nothing; in fewer columns if it would be
    wider than the figure."""
    labels = [h.get_label() for h in handles]
    for ncols in range(min(columns, len(handles)), 0, -1):
        legend = figure.legend(handles, labels, loc="outside upper center", ncols=ncols)
        # A legend's size does not depend on where the layout puts it: measured without drawing the figure.
        if ncols == 1 or legend.get_window_extent(figure.canvas.get_renderer()).width <= 0.98 * figure.bbox.width:
            break
        legend.remove()
    # One layout pass with the legend in place: constrained layout converges over passes, and figures with
    # equal-aspect axes need this one to keep their labels inside.
    figure.draw_without_rendering()
    return legend


def _data_points(axes: Any) -> Any:
    """Display coordinates of what an axes shows as data: the vertices of its lines (with points every few
    pixels along each segment), the centres of its markers and the corners and centre of its bars."""
    import numpy as np

    points = [np.empty((0, 2))]
    for line in axes.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if not line.get_visible() or len(xy) == 0:
            continue
        shown = line.get_transform().transform(xy)
        shown = shown[np.all(np.isfinite(shown), axis=1)]
        if line.get_linestyle() not in ("None", "", " ") and len(shown) > 1:
            dense = [shown[:1]]
            for a, b in itertools.pairwise(shown):
                count = max(int(np.hypot(*(b - a)) // 3), 1)
                dense.append(a + (b - a) * np.linspace(0, 1, count + 1)[1:, None])
            shown = np.vstack(dense)
        points.append(shown)
    for collection in axes.collections:
        offsets = np.asarray(collection.get_offsets(), dtype=float)
        if len(offsets) and collection.get_offset_transform() is not None:
            points.append(collection.get_offset_transform().transform(offsets))
    for container in axes.containers:
        for patch in container:
            box = patch.get_window_extent()
            if box.width > 0 and box.height > 0:
                corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1)]
                points.append(np.array([*corners, ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)]))
    return np.vstack(points)


def _covers(box: Any, points: Any, margin: float = 2.0) -> bool:
    return bool(
        (
            (points[:, 0] > box.x0 - margin)
            & (points[:, 0] < box.x1 + margin)
            & (points[:, 1] > box.y0 - margin)
            & (points[:, 1] < box.y1 + margin)
        ).any()
    )


#: Where a note may go: x and y in axes fraction and the horizontal alignment of the note there.
_SPOTS = tuple(
    (x, y, align) for y in (0.5, 0.3, 0.7, 0.12, 0.88) for x, align in ((0.97, 1.0), (0.03, 0.0), (0.5, 0.5))
)


def _note(axes: Any, pieces: Sequence[str], xy: tuple[float, float], color: str = INK) -> Any:
    """A one-line note made of separate strings (words and mathtext side by side), with an arrow to ``xy``:
    of the spots inside the axes where it covers no data, the one nearest to ``xy``."""
    import numpy as np
    from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea

    def make(x: float, y: float, align: float) -> Any:
        boxes = [TextArea(piece, textprops={"color": color, "fontsize": FONT_PT}) for piece in pieces]
        note = AnnotationBbox(
            HPacker(children=boxes, align="baseline", pad=0, sep=4),
            xy,
            xybox=(x, y),
            boxcoords="axes fraction",
            box_alignment=(align, 0.5),
            frameon=False,
            pad=0.2,
            arrowprops={"arrowstyle": "->", "color": INK, "shrinkA": 2, "shrinkB": 7, "lw": 1.0},
            zorder=6,
        )
        note.set_in_layout(False)
        axes.add_artist(note)
        return note

    figure = axes.figure
    trial = make(*_SPOTS[0])
    figure.draw_without_rendering()
    size = trial.offsetbox.get_window_extent(figure.canvas.get_renderer())
    trial.remove()
    frame = axes.get_window_extent()
    points = _data_points(axes)
    target = axes.transData.transform(xy)
    best = (np.inf, *_SPOTS[0])
    for x, y, align in _SPOTS:
        left = frame.x0 + x * frame.width - align * size.width
        bottom = frame.y0 + y * frame.height - size.height / 2
        box = type(size).from_bounds(left, bottom, size.width, size.height)
        inside = box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1
        if inside and not _covers(box, points, margin=8):
            distance = float(np.hypot((box.x0 + box.x1) / 2 - target[0], (box.y0 + box.y1) / 2 - target[1]))
            best = min(best, (distance, x, y, align))
    return make(*best[1:])


def _integer_ticks(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


# -- activation functions and their derivatives -------------------------------------------------


def _breakpoints(expr: Any, x: Any, low: float, high: float) -> list[Any]:
    """Where a piecewise expression may jump or bend inside (low, high): the boundaries of its conditions."""
    import sympy as sp

    if not expr.has(sp.Piecewise, sp.Max, sp.Min, sp.Heaviside, sp.Abs, sp.sign):
        return []
    folded = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    points: set[Any] = set()
    for piece in folded.atoms(sp.Piecewise):
        for _, condition in piece.args:
            if condition in (sp.true, sp.false):
                continue
            try:
                boundary = condition.as_set().boundary
            except (NotImplementedError, TypeError, ValueError):
                continue
            if isinstance(boundary, sp.FiniteSet):
                points.update(b for b in boundary if b.is_real and low < _float(b) < high)
    return sorted(points, key=_float)


def _one_sided(expr: Any, x: Any, at: Any, side: int) -> Any:
    """The limit of a piecewise expression at ``at`` from the right (``side`` 1) or the left (−1): the
    branch that holds just beside ``at``, evaluated there. (SymPy's ``limit`` gives the value at the
    point, not the one-sided limit, for ``Piecewise((1, x > 0), (0, True))``.)"""
    import sympy as sp

    beside = at + side * sp.Rational(1, 10**12)

    def branch(piecewise: Any) -> Any:
        for value, condition in piecewise.args:
            if condition == sp.true or bool(condition.subs(x, beside)):
                return value
        return sp.nan

    folded = sp.piecewise_fold(expr.rewrite(sp.Piecewise))
    return sp.simplify(folded.replace(lambda e: isinstance(e, sp.Piecewise), branch).subs(x, at))


def _curve(axes: Any, expr: Any, x: Any, low: float, high: float, color: str, width: float, label: str) -> Any:
    """``expr`` over [low, high] in continuous pieces; at a jump the value the expression takes is a filled
    dot and a one-sided limit that differs from it an open dot. Returns the first line (for the legend)."""
    import numpy as np
    import sympy as sp

    function = sp.lambdify(x, expr, "numpy")
    cuts = _breakpoints(expr, x, low, high)
    edges = [low, *(_float(c) for c in cuts), high]
    lines = []
    for i in range(len(edges) - 1):
        grid = np.linspace(edges[i], edges[i + 1], 241)
        ys = np.array(np.broadcast_to(np.asarray(function(grid), dtype=float), grid.shape))
        if i > 0:
            ys[0] = _float(_one_sided(expr, x, cuts[i - 1], 1))
        if i < len(cuts):
            ys[-1] = _float(_one_sided(expr, x, cuts[i], -1))
        lines += axes.plot(grid, ys, color=color, lw=width, label=label, solid_capstyle="butt")
    for cut in cuts:
        value = _float(expr.subs(x, cut))
        sides = {_float(_one_sided(expr, x, cut, side)) for side in (-1, 1)}
        if all(abs(side - value) < 1e-12 for side in sides):
            continue
        for side in sides:
            if abs(side - value) > 1e-12:
                axes.plot([_float(cut)], [side], "o", ms=8, mfc="none", mec=color, mew=2, zorder=5)
        axes.plot([_float(cut)], [value], "o", ms=8, color=color, zorder=5)
    return lines[0]


def _strict_maximum(expr: Any, x: Any, low: float, high: float) -> tuple[Any, Any] | None:
    """(where, value) of an isolated maximum inside (low, high), exact when the grid lands on it."""
    import numpy as np
    import sympy as sp

    grid = np.linspace(low, high, 801)
    values = np.broadcast_to(np.asarray(sp.lambdify(x, expr, "numpy")(grid), dtype=float), grid.shape)
    top = int(np.argmax(values))
    spread = float(values.max() - values.min())
    if not 0 < top < len(grid) - 1 or spread < 1e-9 or np.sum(values > values[top] - 1e-9 * spread) > 1:
        return None
    if max(values[0], values[-1]) > values[top] - 0.05 * spread:
        return None
    where = sp.nsimplify(round(float(grid[top]), 9), rational=True)
    value = sp.nsimplify(sp.simplify(expr.subs(x, where)))
    if abs(_float(value) - float(values[top])) > 1e-6:
        return sp.Float(grid[top], 4), sp.Float(values[top], 4)
    return where, value


def _activation_derivative(derivation: Any, arguments: dict[str, Any], lang: str):
    """The activation g(x) of the formula's argument and its derived derivative g′(x); the maximum of g′
    where it is an isolated peak, and the value each takes at a jump."""
    import sympy as sp

    activation, x = arguments["activation"], arguments["x"]
    tex, shown = _activation_tex(activation), sp.latex(x)
    low, high = -4.0, 4.0
    figure, axes = _new_figure(3.6)
    # The function is drawn wider below its derivative, so that both show where they coincide.
    handles = [
        _curve(axes, activation(x), x, low, high, COLORS[0], 3.4, f"${tex}({shown})$"),
        _curve(axes, derivation.result, x, low, high, COLORS[1], 1.9, f"${tex}'({shown})$"),
    ]
    bottom, top = axes.get_ylim()
    axes.set_ylim(min(bottom, -0.1), max(top, 1.1))
    axes.set_xlim(low, high)
    axes.set_xlabel(f"${shown}$")
    _legend(figure, handles)
    peak = _strict_maximum(derivation.result, x, low, high)
    if peak is not None:
        where, value = peak
        axes.plot([_float(where)], [_float(value)], "o", ms=8, color=COLORS[1], zorder=5)
        _note(
            axes,
            [_say(lang, "최댓값", "maximum"), f"${tex}'({_tex(where)}) = {_with_decimal(value)}$"],
            (_float(where), _float(value)),
        )
    return figure


# -- a distribution with its mean and standard deviation ----------------------------------------


def _distribution(derivation: Any, arguments: dict[str, Any], lang: str):
    """The mass function (bars) or density (curve) of the formula's random variable, with the derived
    mean as a line and mean ± one standard deviation (from the derived variance) as a band."""
    import numpy as np
    import sympy as sp
    import sympy.stats as stats

    X = arguments["X"]
    mean, variance = derivation.result[:2]
    m, var = _numbers([mean, variance], "the distribution plot")
    sd = var**0.5
    figure, axes = _new_figure(3.7)
    if X.pspace.is_Continuous:
        t = sp.Symbol("t", real=True)
        density = stats.density(X)
        support = getattr(density, "set", sp.Reals)
        low = max(m - 4 * sd, _float(support.inf)) if support.inf.is_finite else m - 4 * sd
        high = min(m + 4 * sd, _float(support.sup)) if support.sup.is_finite else m + 4 * sd
        grid = np.linspace(low, high, 401)
        values = np.asarray(sp.lambdify(t, density(t), "numpy")(grid), dtype=float)
        (shape,) = axes.plot(grid, values, color=COLORS[0], label=_say(lang, "확률밀도함수 f(x)", "density $f(x)$"))
        axes.set_xlabel("$x$")
        axes.set_ylabel(_say(lang, "확률밀도 f(x)", "density $f(x)$"))
    else:
        if X.pspace.is_Finite:
            table = {int(k): _float(v) for k, v in stats.density(X).dict.items()}
        else:
            k = sp.Symbol("k", integer=True, nonnegative=True)
            mass = stats.density(X)(k)
            table = {j: _float(mass.subs(k, j)) for j in range(max(int(m - 5 * sd), 0), int(m + 5 * sd) + 2)}
        ks = sorted(table)
        shape = axes.bar(
            ks,
            [table[j] for j in ks],
            width=0.7,
            color=COLORS[0],
            alpha=0.85,
            label=_say(lang, "확률질량함수 P(X = k)", "mass function $P(X = k)$"),
        )
        axes.set_xlabel("$k$")
        axes.set_ylabel(_say(lang, "확률 P(X = k)", "probability $P(X = k)$"))
        _integer_ticks(axes.xaxis)
    spread = sp.sqrt(variance)
    plus = rf"= {_tex(mean)} \pm {_tex(spread)}" if spread.is_Rational else rf"\approx {_tex(mean)} \pm {sd:.3g}"
    band = axes.axvspan(
        m - sd,
        m + sd,
        color=COLORS[2],
        alpha=0.2,
        lw=0,
        zorder=0,
        label=r"$\mathbb{E}[X] \pm \sqrt{\mathrm{Var}[X]}" + f" {plus}$",
    )
    centre = axes.axvline(m, color=COLORS[1], lw=2, label=rf"$\mathbb{{E}}[X] = {_with_decimal(mean)}$")
    axes.set_ylim(0, None)
    _legend(figure, [shape, centre, band], columns=2)
    return figure


# -- principal component analysis -----------------------------------------------------------------


def _pca_axes(derivation: Any, arguments: dict[str, Any], lang: str):
    """The data, the derived mean and each principal axis through it, ±√λ long, in equal aspect, with each
    point joined to the first axis. With k = 1 in the plane the second axis is the perpendicular one, with
    λ₂ = tr C − λ₁ and tr C = λ₁/ratio₁ from the derived parts."""
    import numpy as np

    from .errors import GlossaryError

    data = np.array(arguments["X"].evalf(20), dtype=float)
    if data.shape[1] != 2:
        raise GlossaryError(f"the pca-axes plot draws data in the plane, not {data.shape[1]} columns")
    components, variances = derivation.result[:2]
    mean = _part(derivation, "mean")
    center = np.array(_numbers(mean, "pca-axes")) if mean is not None else data.mean(axis=0)
    principal = [
        (np.array(_numbers(components[:, j], "pca-axes")), _float(variances[j]), True) for j in range(components.cols)
    ]
    if len(principal) == 1:
        w, lam = principal[0][:2]
        ratio = _part(derivation, "ratio_1")
        trace = lam / _float(ratio) if ratio is not None else float(np.trace(np.cov(data.T)))
        principal.append((np.array([-w[1], w[0]]), max(trace - lam, 0.0), False))
    figure, axes = _new_figure(5.6)
    first = principal[0][0]
    reach = float(np.abs(data - center).max()) * 1.6
    axes.plot(*np.array([center - reach * first, center + reach * first]).T, color=COLORS[1], lw=0.9, ls=":")
    for point in data:
        foot = center + np.dot(point - center, first) * first
        axes.plot(*zip(point, foot, strict=True), color=INK, lw=1.0, alpha=0.8, zorder=2)
    handles = [
        axes.scatter(data[:, 0], data[:, 1], s=34, color=COLORS[0], label=_say(lang, "데이터", "data"), zorder=3)
    ]
    for j, (direction, lam, derived) in enumerate(principal, 1):
        half = np.sqrt(lam) * direction
        label = _say(
            lang,
            f"주성분 축 ±√λ{_sub(j)} w{_sub(j)}" + ("" if derived else " (w₁에 수직)"),
            "axis " + rf"$\pm\sqrt{{\lambda_{j}}}\,\mathbf{{w}}_{j}" + ("$" if derived else r" \perp \mathbf{w}_1$"),
        )
        handles += axes.plot(
            *np.array([center - half, center + half]).T,
            "-" if derived else "--",
            lw=3.2,
            color=COLORS[j],
            solid_capstyle="round",
            label=label,
            zorder=4,
        )
    handles += axes.plot(
        *center,
        "X",
        color=COLORS[4],
        ms=12,
        mec="white",
        mew=0.8,
        label=_say(lang, "평균 x̄", r"mean $\bar{\mathbf{x}}$"),
        zorder=5,
    )
    low, high = data.min(axis=0) - 0.8, data.max(axis=0) + 0.8
    axes.set_xlim(low[0], high[0])
    axes.set_ylim(low[1], high[1])
    axes.set_aspect("equal")
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
    _legend(figure, handles, columns=2)
    return figure


# -- singular value decomposition ------------------------------------------------------------------


def _svd_error(derivation: Any, arguments: dict[str, Any], lang: str):
    """For each rank k, the squared Frobenius error of A − U_k Σ_k V_kᵀ, computed exactly from the
    derived factors and the page's matrix, beside a stack of the squared singular values left out."""
    import sympy as sp

    A = arguments["A"]
    U, S, V = derivation.result[:3]
    sigmas = [S[i, i] for i in range(min(S.shape))]
    ranks = list(range(len(sigmas) + 1))
    errors = []
    for k in ranks:
        approximation = U[:, :k] * S[:k, :k] * V[:, :k].T if k else sp.zeros(*A.shape)
        errors.append(sp.nsimplify(sp.simplify(sum(e**2 for e in A - approximation))))
    figure, axes = _new_figure(3.8)
    handles = []
    for i, sigma in enumerate(sigmas):
        heights = [_float(sigma**2) if i >= k else 0.0 for k in ranks]
        bottoms = [sum(_float(s**2) for s in sigmas[i + 1 :]) if i >= k else 0.0 for k in ranks]
        handles.append(
            axes.bar(
                ranks,
                heights,
                bottom=bottoms,
                width=0.6,
                color=COLORS[i % len(COLORS)],
                alpha=0.85,
                label=rf"$\sigma_{{{i + 1}}}^2 = {_tex(sigma**2)}$",
            )
        )
    handles += axes.plot(
        ranks,
        [_float(e) for e in errors],
        "D",
        ms=8,
        color=INK,
        mfc="none",
        mew=1.8,
        clip_on=False,
        zorder=5,
        label=r"$\|A - A_k\|_F^2$",
    )
    for k, error in zip(ranks, errors, strict=True):
        axes.annotate(f"${_tex(error)}$", (k, _float(error)), xytext=(0, 11), textcoords="offset points", ha="center")
    axes.set_ylim(0, max(_float(e) for e in errors) * 1.25 + 1)
    axes.set_xlim(-0.6, ranks[-1] + 0.6)
    axes.set_xticks(ranks)
    axes.grid(axis="x", visible=False)
    axes.set_xlabel(_say(lang, "남긴 특잇값의 수 k", "singular values kept, $k$"))
    axes.set_ylabel(_say(lang, "오차의 제곱", "squared error"))
    _legend(figure, handles, columns=len(handles))
    return figure


# -- eigenvalues and eigenvectors ------------------------------------------------------------------


def _eigen_stretch(derivation: Any, arguments: dict[str, Any], lang: str):
    """The unit circle and its image under A (an ellipse); each real eigenvector as a unit vector v̂ and
    its image Av̂ = λv̂ on the same line; e₁ and Ae₁ for contrast, a vector that A turns."""
    import numpy as np

    from .errors import GlossaryError

    A = arguments["A"]
    if A.shape != (2, 2):
        raise GlossaryError(f"the eigen-stretch plot draws a 2×2 matrix, not {A.shape[0]}×{A.shape[1]}")
    M = np.array(_numbers(A, "eigen-stretch"), dtype=float).reshape(2, 2)
    pairs = []
    for value, _, vectors in derivation.result:
        if value.is_real:
            for vector in vectors:
                v = np.array(_numbers(vector, "eigen-stretch"))
                pairs.append((value, v / np.linalg.norm(v)))
    figure, axes = _new_figure(5.6)
    angle = np.linspace(0, 2 * np.pi, 361)
    circle = np.vstack([np.cos(angle), np.sin(angle)])
    image = M @ circle
    reach = max(float(np.abs(image).max()), 1.0) * 1.15
    handles = axes.plot(*circle, color=INK, lw=1.3, ls="--", label=_say(lang, "단위원", "unit circle"))
    handles += axes.plot(*image, color=INK, lw=1.8, label=_say(lang, "A를 곱한 단위원", "its image under $A$"))

    def arrow(vector: Any, color: str, width: float, alpha: float = 1.0, zorder: int = 4) -> None:
        axes.annotate(
            "",
            xy=tuple(vector),
            xytext=(0, 0),
            arrowprops={
                "arrowstyle": "-|>",
                "color": color,
                "lw": width,
                "alpha": alpha,
                "mutation_scale": 18,
                "shrinkA": 0,
                "shrinkB": 0,
            },
            zorder=zorder,
        )

    e1 = np.array([1.0, 0.0])
    arrow(M @ e1, INK, 1.5, zorder=3)
    arrow(e1, INK, 1.5, zorder=3)
    handles += axes.plot([], [], color=INK, lw=1.5, label=r"$\mathbf{e}_1 \to A\mathbf{e}_1$")
    for i, (value, v) in enumerate(pairs, 1):
        color = COLORS[(i - 1) % len(COLORS)]
        axes.plot(*np.array([-reach * v, reach * v]).T, color=color, lw=1.0, ls=":", zorder=2)
        arrow(_float(value) * v, color, 6.0, alpha=0.4, zorder=3)
        arrow(v, color, 2.2, zorder=5)
        handles += axes.plot(
            [],
            [],
            color=color,
            lw=2.2,
            label=rf"$\hat{{\mathbf{{v}}}}_{i} \to A\hat{{\mathbf{{v}}}}_{i} = {_tex(value)}\,"
            rf"\hat{{\mathbf{{v}}}}_{i}$",
        )
    axes.set_aspect("equal")
    axes.set_xlim(-reach, reach)
    axes.set_ylim(-reach, reach)
    axes.axhline(0, color=INK, lw=0.6)
    axes.axvline(0, color=INK, lw=0.6)
    axes.set_xlabel("$x_1$")
    axes.set_ylabel("$x_2$")
    _legend(figure, handles, columns=2)
    return figure


# -- gradient descent -------------------------------------------------------------------------------


def _iterates(derivation: Any) -> Any:
    import numpy as np

    rows = []
    for point in derivation.result:
        values = [e for row in point.tolist() for e in row] if hasattr(point, "tolist") else list(point)
        rows.append(_numbers(values, "the gradient-descent plot"))
    return np.array(rows, dtype=float)


def _gradient_descent_path(derivation: Any, arguments: dict[str, Any], lang: str):
    """The iterates θ₀, θ₁, … of the formula on its objective (contours for two parameters, the curve for
    one) and, below, the objective at each iterate against the number of updates."""
    import numpy as np
    import sympy as sp

    from .errors import GlossaryError

    params, f, lr = arguments["params"], arguments["f"], arguments["lr"]
    if len(params) not in (1, 2):
        raise GlossaryError(f"the gradient-descent-path plot draws one or two parameters, not {len(params)}")
    points = _iterates(derivation)
    objective = sp.lambdify(params, f, "numpy")
    losses = np.array([float(objective(*p)) for p in points])
    steps = len(points) - 1
    top = 2.8
    if len(params) == 2:
        # Around the last iterate when the loss fell (near the minimum), else around the start.
        center = points[-1] if losses[-1] < losses[0] else points[0]
        half = np.abs(points - center).max(axis=0) * 1.2 + 0.25
        half = np.maximum(half, half.max() / 3)
        top = min(max((WIDTH - 0.8) * half[1] / half[0], 1.6), 3.6)
    figure, (path, curve) = _new_figure(top + 2.9, rows=2, gridspec_kw={"height_ratios": [top, 1.9]})
    label = _say(lang, f"η = {_plain(lr)}, {steps}번 갱신", rf"$\eta = {_tex(lr)}$, {steps} updates")
    last = rf"$\theta_{{{steps}}}$"
    if len(params) == 2:
        W, V = np.meshgrid(
            np.linspace(center[0] - half[0], center[0] + half[0], 201),
            np.linspace(center[1] - half[1], center[1] + half[1], 161),
        )
        Z = objective(W, V)
        path.contour(W, V, Z, levels=np.unique(np.quantile(Z, np.linspace(0.02, 0.9, 10))), colors=INK, linewidths=0.7)
        handles = path.plot(points[:, 0], points[:, 1], "o-", ms=4.5, lw=1.8, color=COLORS[1], label=label)
        path.set_aspect("equal")
        path.set_ylabel(f"${sp.latex(params[1])}$")
        marks = [(points[0], r"$\theta_0$", (6, 6)), (points[-1], last, (0, 10))]
    else:
        low, high = float(points.min()), float(points.max())
        pad = 0.12 * (high - low) + 0.2
        grid = np.linspace(low - pad, high + pad, 401)
        handles = path.plot(grid, objective(grid), color=INK, lw=1.4, label=f"$L = {sp.latex(f)}$")
        for a, b in itertools.pairwise(points):
            path.annotate(
                "",
                xy=(b[0], float(objective(*b))),
                xytext=(a[0], float(objective(*a))),
                arrowprops={"arrowstyle": "->", "color": COLORS[1], "lw": 1.2, "shrinkA": 4, "shrinkB": 4},
            )
        handles += path.plot(points[:, 0], losses, "o", ms=5, color=COLORS[1], label=label)
        path.set_ylabel(f"$L({sp.latex(params[0])})$")
        marks = [((points[0][0], losses[0]), r"$\theta_0$", (0, -22)), ((points[-1][0], losses[-1]), last, (-10, 6))]
    for (px, py), text, offset in marks:
        path.annotate(text, (px, py), xytext=offset, textcoords="offset points", color=COLORS[1], ha="center")
    path.set_xlabel(f"${sp.latex(params[0])}$")
    curve.plot(range(len(losses)), losses, "o-", ms=4.5, lw=1.8, color=COLORS[1])
    if losses.min() > 0 and losses.max() / losses.min() > 10:
        curve.set_yscale("log")
    curve.set_xlabel(_say(lang, "갱신 횟수 k", "update $k$"))
    curve.set_ylabel(r"$L(\theta_k)$")
    _integer_ticks(curve.xaxis)
    _legend(figure, handles, columns=2)
    return figure


# -- overfitting ---------------------------------------------------------------------------------


def _overfitting(derivation: Any, arguments: dict[str, Any], lang: str):
    """Training and validation error against the polynomial degree, with the degree of least validation
    error marked."""
    import numpy as np

    rows = derivation.result
    degrees = [int(r[0]) for r in rows]
    train = _numbers([r[1] for r in rows], "the overfitting plot")
    validation = _numbers([r[2] for r in rows], "the overfitting plot")
    named = _part(derivation, "best_degree")
    best = int(named) if named is not None else degrees[int(np.argmin(validation))]
    figure, axes = _new_figure(3.9)
    handles = axes.plot(
        degrees, train, "o-", color=COLORS[0], clip_on=False, label=_say(lang, "학습 오차", "training error")
    )
    handles += axes.plot(
        degrees, validation, "s-", color=COLORS[1], clip_on=False, label=_say(lang, "검증 오차", "validation error")
    )
    handles.append(
        axes.axvline(
            best,
            color=COLORS[2],
            lw=1.8,
            ls="--",
            label=_say(lang, f"검증 오차가 가장 작은 {best}차", f"least validation error, degree {best}"),
        )
    )
    # Training error may reach exactly 0 at the top degree: a linear band near 0 keeps it on the plot.
    floor = min([v for v in train + validation if v > 0], default=1.0)
    axes.set_yscale("symlog", linthresh=10 ** np.floor(np.log10(floor)))
    axes.set_ylim(0, max(train + validation) * 2)
    axes.set_xlabel(_say(lang, "다항식 차수", "polynomial degree"))
    axes.set_ylabel(_say(lang, "평균 제곱 오차(MSE)", "mean squared error"))
    axes.set_xticks(degrees)
    _legend(figure, handles, columns=2)
    return figure


# -- vanishing gradient ---------------------------------------------------------------------------


def _gradient_depth(derivation: Any, arguments: dict[str, Any], lang: str):
    """The bound (max g′)ⁿ on the gradient factor for n = 1 … depth, from the derived maximum, with the
    derived bound at the formula's depth marked."""
    import sympy as sp

    maximum, bound = derivation.result[:2]
    depth = int(arguments["depth"])
    tex = _activation_tex(arguments["activation"])
    depths = list(range(1, depth + 1))
    values = [_float(sp.sympify(maximum) ** d) for d in depths]
    figure, axes = _new_figure(3.8)
    handles = axes.plot(depths, values, "o-", ms=5, color=COLORS[0], label=rf"$(\max\ {tex}')^n = ({_tex(maximum)})^n$")
    axes.plot([depth], [_float(bound)], "o", ms=10, color=COLORS[1], zorder=5)
    if min(values) > 0 and max(values) / min(values) > 20:
        axes.set_yscale("log")
    axes.set_xticks(depths)
    axes.set_xlabel(_say(lang, "깊이(층 수) n", "depth (layers) $n$"))
    axes.set_ylabel(_say(lang, "기울기 배율의 상한", "bound on the gradient factor"))
    _legend(figure, handles, columns=1)
    _note(
        axes,
        [rf"$({_tex(maximum)})^{{{depth}}} = {_with_decimal(bound)}$"],
        (depth, _float(bound)),
    )
    return figure


# -- maximum likelihood ---------------------------------------------------------------------------


def _on_sample(estimator: Any, sample: Sequence[Any]) -> Any:
    """An estimator written over x[i], i = 1..n, evaluated exactly on a sample."""
    import sympy as sp

    sizes = {s: len(sample) for s in estimator.free_symbols if isinstance(s, sp.Symbol) and s.name == "n"}
    value = estimator.subs(sizes).doit()
    value = value.replace(lambda e: isinstance(e, sp.Indexed), lambda e: sp.sympify(sample[int(e.indices[0]) - 1]))
    return sp.nsimplify(sp.simplify(value.doit()))


def _log_likelihood(arguments: dict[str, Any], sample: Sequence[Any]) -> Callable[..., Any]:
    """ℓ(θ) = Σ log f(xᵢ; θ) for the formula's density, as a NumPy function of its parameters (NaN where
    the density is not positive)."""
    import numpy as np
    import sympy as sp

    density, x, params = arguments["density"], arguments["x"], arguments["params"]
    total = sum(sp.expand_log(sp.log(density.subs(x, value)), force=True) for value in sample)
    function = sp.lambdify(params, total, "numpy")

    def evaluate(*values: Any) -> Any:
        with np.errstate(all="ignore"):
            out = np.asarray(function(*(np.asarray(v, dtype=complex) for v in values)), dtype=complex)
        return np.where(np.abs(out.imag) < 1e-9, out.real, np.nan)

    return evaluate


def _likelihood(sample_name: str) -> Callable[[Any, dict[str, Any], str], Any]:
    def compose(derivation: Any, arguments: dict[str, Any], lang: str):
        """The log-likelihood of the sample over the parameter (contours for two), with its maximum at the
        derived estimator evaluated on the sample."""
        import numpy as np
        import sympy as sp

        from .errors import GlossaryError

        sample = SAMPLES[sample_name]
        params = arguments["params"]
        estimates = [_on_sample(derivation.result[p], sample) for p in params]
        hats = [_float(e) for e in estimates]
        ell = _log_likelihood(arguments, sample)
        listed = ", ".join(str(s) for s in sample)
        title = _say(lang, f"표본 x = ({listed}), n = {len(sample)}", f"sample $x$ = ({listed}), $n$ = {len(sample)}")
        mean = sp.Rational(sum(sample), len(sample))
        if len(params) == 1:
            (p,) = params
            (hat,) = hats
            reach = max(abs(hat), 1.0)
            grid = np.linspace(hat - reach, hat + reach, 4001)
            if p.is_positive:
                grid = grid[grid > 0]
            values = np.real(ell(grid))
            keep = np.isfinite(values)
            if not keep.any():
                raise GlossaryError("the log-likelihood of the sample is not finite near the estimate")
            top = float(np.real(ell(hat)))
            floor = top - 8
            keep &= values > floor - 1
            figure, axes = _new_figure(3.9)
            handles = axes.plot(grid[keep], values[keep], color=COLORS[0], label=rf"$\ell({sp.latex(p)})$")
            equal = r" = \bar{x}" if estimates[0] == mean else ""
            handles += axes.plot(
                [hat],
                [top],
                "o--",
                ms=8,
                lw=1.2,
                color=COLORS[1],
                label=rf"$\hat{{{sp.latex(p)}}}{equal} = {_with_decimal(estimates[0])}$",
            )
            axes.axvline(hat, color=COLORS[1], lw=1.2, ls="--")
            axes.set_ylim(floor, top + 0.12 * (top - floor))
            axes.set_xlabel(f"${sp.latex(p)}$")
            axes.set_ylabel(_say(lang, f"로그우도 ℓ({sp.pretty(p)})", rf"log-likelihood $\ell({sp.latex(p)})$"))
            axes.set_title(title)
            _legend(figure, handles, columns=2)
            return figure
        if len(params) == 2:
            p, q = params
            spread = max(float(np.std(np.array(sample, dtype=float))), 0.5)
            first = np.linspace(hats[0] - 2.5 * spread, hats[0] + 2.5 * spread, 241)
            if q.is_positive:
                second = np.linspace(max(hats[1] * 0.35, 1e-3), hats[1] * 2.2, 241)
            else:
                second = np.linspace(hats[1] - 2.5 * spread, hats[1] + 2.5 * spread, 241)
            P, Q = np.meshgrid(first, second)
            top = float(np.real(ell(*hats)))
            figure, axes = _new_figure(4.8)
            levels = top - np.array([12, 8, 5, 3, 2, 1, 0.5])
            contours = axes.contour(P, Q, ell(P, Q), levels=levels, colors=INK, linewidths=0.9)
            axes.clabel(contours, fmt=lambda v: f"{v - top:g}".replace("-", "−"), fontsize=FONT_PT)
            shown = ", ".join(_with_decimal(e) for e in estimates)
            names = ", ".join(rf"\hat{{{sp.latex(s)}}}" for s in params)
            handles = axes.plot([hats[0]], [hats[1]], "o", ms=8, color=COLORS[1], label=f"$({names}) = ({shown})$")
            handles += axes.plot(
                [],
                [],
                color=INK,
                lw=0.9,
                label=_say(lang, "로그우도 등고선(최댓값과의 차)", r"contours of $\ell - \ell_{\max}$"),
            )
            axes.set_xlabel(f"${sp.latex(p)}$")
            axes.set_ylabel(f"${sp.latex(q)}$")
            axes.set_title(title)
            _legend(figure, handles, columns=1)
            return figure
        raise GlossaryError(f"the likelihood plot draws one or two parameters, not {len(params)}")

    compose.__name__ = f"_{sample_name.replace('-', '_')}"
    return compose


# -- backpropagation --------------------------------------------------------------------------------


def _entry_tex(matrix: Any, name: str) -> str:
    """``W^{(1)} = w_{1}`` for a 1×1 matrix, else the name with its shape."""
    import sympy as sp

    if matrix.shape == (1, 1):
        return f"${name} = {sp.latex(matrix[0, 0])}$"
    return rf"${name} \in \mathbb{{R}}^{{{matrix.rows} \times {matrix.cols}}}$"


def _computation_graph(derivation: Any, arguments: dict[str, Any], lang: str):
    """The network of the formula as a computation graph: x → z⁽¹⁾ → a⁽¹⁾ → … → L with the weights and
    biases feeding each z⁽ˡ⁾ (above), and the gradients ∂L/∂a⁽ˡ⁾ and δ⁽ˡ⁾ = ∂L/∂z⁽ˡ⁾ passed back (below)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    weights, biases, y = arguments["weights"], arguments["biases"], arguments["y"]
    layers = len(weights)
    tex = _activation_tex(arguments["activation"])
    forward = [("x", "$x$", "$x$")]
    for l in range(1, layers + 1):
        forward += [(f"z{l}", f"$z^{{({l})}}$", f"$\\delta^{{({l})}}$")]
        forward += [(f"a{l}", f"$a^{{({l})}}$", f"$\\partial L/\\partial a^{{({l})}}$")]
    forward.append(("L", "$L$", ""))
    gap = 1.0
    figure = pyplot().figure(figsize=(WIDTH, 4.3), layout="constrained")
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_xlim(-0.45, (len(forward) - 1) * gap + 0.45)
    axes.set_ylim(-2.1, 1.85)
    style = "round,pad=0.02,rounding_size=0.1"

    def box(x: float, y: float, text: str, color: str, width: float) -> None:
        for fill, edge, alpha in ((color, "none", 0.18), ("none", color, 1.0)):
            axes.add_patch(
                FancyBboxPatch(
                    (x - width / 2, y - 0.22), width, 0.44, boxstyle=style, fc=fill, ec=edge, lw=1.4, alpha=alpha
                )
            )
        axes.text(x, y, text, ha="center", va="center", color=INK, zorder=4)

    def link(start: tuple[float, float], end: tuple[float, float], color: str) -> None:
        axes.add_patch(
            FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=13, color=color, lw=1.4, shrinkA=0, shrinkB=0)
        )

    for i, (key, text, _) in enumerate(forward):
        box(i * gap, 0, text, COLORS[1] if key == "L" else COLORS[0], 0.56)
        if i:
            link(((i - 1) * gap + 0.29, 0), (i * gap - 0.29, 0), COLORS[0])
    # Weights and biases feed z(l); the target feeds the loss.
    for l in range(1, layers + 1):
        x = (2 * l - 1) * gap
        for dx, y_text, matrix, name in (
            (-0.32, 0.75, weights[l - 1], f"W^{{({l})}}"),
            (0.32, 1.55, biases[l - 1], f"b^{{({l})}}"),
        ):
            axes.text(x + dx, y_text, _entry_tex(matrix, name), ha="center", va="center", color=COLORS[2])
            link((x + dx, y_text - 0.2), (x + dx * 0.55, 0.23), COLORS[2])
    x = (len(forward) - 1) * gap
    targets = [str(e) for e in y]
    target = targets[0] if len(targets) == 1 else "(" + ", ".join(targets) + ")^{T}"
    axes.text(x, 0.75, f"$y = {target}$", ha="center", va="center", color=COLORS[2])
    link((x, 0.55), (x, 0.23), COLORS[2])

    # Backward: the gradient of the loss with respect to each node, right to left.
    def half(i: int) -> float:
        return 0.37 if forward[i][0].startswith("a") else 0.25

    last = len(forward) - 1
    for i in range(last - 1, 0, -1):
        box(i * gap, -0.95, forward[i][2], COLORS[1], 2 * half(i))
        if i == last - 1:
            link((last * gap - 0.1, -0.23), (i * gap + half(i) - 0.05, -0.73), COLORS[1])
        else:
            link(((i + 1) * gap - half(i + 1), -0.95), (i * gap + half(i), -0.95), COLORS[1])
    handles = [
        Line2D([], [], color=COLORS[0], lw=1.6, label=_say(lang, "순전파", "forward pass")),
        Line2D([], [], color=COLORS[2], lw=1.6, label=_say(lang, "가중치·편향·정답", "weights, biases, target")),
        Line2D(
            [], [], color=COLORS[1], lw=1.6, label=_say(lang, "역전파(손실의 기울기)", "backward: gradients of $L$")
        ),
    ]
    _legend(figure, handles, columns=2)
    rules = [
        rf"$\partial L/\partial a^{{(l)}} = (W^{{(l+1)}})^{{T}} \delta^{{(l+1)}},\ \ "
        rf"\delta^{{(l)}} = \partial L/\partial a^{{(l)}} \odot {tex}'(z^{{(l)}})$",
        r"$\partial L/\partial W^{(l)} = \delta^{(l)} (a^{(l-1)})^{T},\ \ \partial L/\partial b^{(l)} = \delta^{(l)}$",
    ]
    for row, rule in enumerate(rules):
        axes.text(-0.4, -1.6 - 0.42 * row, rule, ha="left", va="center", color=INK)
    return figure


# -- the gradient as a field ------------------------------------------------------------------------


def _gradient_field(derivation: Any, arguments: dict[str, Any], lang: str):
    """Contours of f and the derived gradient ∇f as arrows on a grid: perpendicular to the contours and
    longest where f changes fastest."""
    import numpy as np
    import sympy as sp
    from matplotlib.ticker import MaxNLocator

    from .errors import GlossaryError

    f, variables = arguments["f"], arguments["variables"]
    if len(variables) != 2:
        raise GlossaryError(f"the gradient-field plot draws a function of two variables, not {len(variables)}")
    reach = 2.0
    objective = sp.lambdify(variables, f, "numpy")
    parts = [sp.lambdify(variables, g, "numpy") for g in derivation.result]
    X, Y = np.meshgrid(np.linspace(-reach, reach, 201), np.linspace(-reach, reach, 201))
    figure, axes = _new_figure(5.0)
    Z = objective(X, Y)
    levels = MaxNLocator(16).tick_values(Z.min(), Z.max())[1:-1]
    contours = axes.contour(X, Y, Z, levels=levels, colors=COLORS[0], linewidths=1)
    axes.clabel(contours, contours.levels[::2], fmt=lambda v: f"{v:g}".replace("-", "−"), fontsize=FONT_PT)
    coarse = np.linspace(-reach * 0.85, reach * 0.85, 9)
    U, V = np.meshgrid(coarse, coarse)
    DX = np.broadcast_to(np.asarray(parts[0](U, V), dtype=float), U.shape)
    DY = np.broadcast_to(np.asarray(parts[1](U, V), dtype=float), U.shape)
    spacing = coarse[1] - coarse[0]
    axes.quiver(
        U, V, DX, DY, color=COLORS[1], angles="xy", scale_units="xy", scale=np.hypot(DX, DY).max() / (1.3 * spacing)
    )
    x, y = (sp.latex(v) for v in variables)
    handles = axes.plot([], [], color=COLORS[1], lw=2.2, label=rf"$\nabla f({x}, {y})$")
    handles += axes.plot([], [], color=COLORS[0], lw=1, label=_say(lang, "등고선 f = c", "contours $f = c$"))
    axes.set_aspect("equal")
    axes.set_xlim(-reach, reach)
    axes.set_ylim(-reach, reach)
    axes.set_xlabel(f"${x}$")
    axes.set_ylabel(f"${y}$")
    _legend(figure, handles, columns=2)
    return figure


# -- the table of plots -----------------------------------------------------------------------------

Compose = Callable[[Any, dict[str, Any], str], Any]


@dataclass(frozen=True)
class Plot:
    """A picture: which helpers' results it can draw, the function that composes it, its alt text."""

    name: str
    helpers: tuple[str, ...]
    compose: Compose
    alt: dict[str, str]

    def draw(self, derivation: Any, arguments: dict[str, Any], lang: str, *, text_as_paths: bool = True) -> str:
        """The SVG for one formula's derivation and arguments in ``lang`` (the same bytes on every run)."""
        with self._composed(derivation, arguments, lang, text_as_paths) as figure:
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "glossary"}, transparent=True)
        return buffer.getvalue()

    @contextmanager
    def figure(
        self, derivation: Any, arguments: dict[str, Any], lang: str, *, text_as_paths: bool = True
    ) -> Iterator[Any]:
        """The matplotlib figure, laid out and drawn once, for the time of a ``with`` block (then closed)."""
        with self._composed(derivation, arguments, lang, text_as_paths) as figure:
            figure.canvas.draw()
            yield figure

    @contextmanager
    def _composed(self, derivation: Any, arguments: dict[str, Any], lang: str, text_as_paths: bool) -> Iterator[Any]:
        if lang not in ("ko", "en"):
            from .errors import GlossaryError

            raise GlossaryError(f"language {lang!r} is not 'ko' or 'en'")
        plt = pyplot()
        with plt.rc_context(_style(text_as_paths)):
            figure = self.compose(derivation, arguments, lang)
            try:
                yield figure
            finally:
                plt.close(figure)


PLOTS: dict[str, Plot] = {
    plot.name: plot
    for plot in (
        Plot(
            "activation-derivative",
            ("neural.derivative",),
            _activation_derivative,
            {
                "ko": "활성화 함수 g(x)와 유도한 도함수 g′(x)의 그래프. 도함수의 최댓값과 "
                "끊어진 곳의 함숫값을 점으로 표시했다",
                "en": "An activation function g(x) and its derived derivative g′(x), with the derivative's maximum "
                "and the values at jumps marked",
            },
        ),
        Plot(
            "distribution",
            ("probability.moments",),
            _distribution,
            {
                "ko": "확률분포(확률질량함수 또는 확률밀도함수)와 유도한 기댓값, 기댓값 ± 표준편차 구간",
                "en": "The distribution (mass function or density) with its derived mean and the band of one "
                "standard deviation either side",
            },
        ),
        Plot(
            "pca-axes",
            ("linalg.pca",),
            _pca_axes,
            {
                "ko": "데이터와 평균, 평균을 지나는 두 주성분 축(반길이 √λ). 각 점에서 제1주성분 축까지 선을 그었다",
                "en": "The data, its mean and the two principal axes through it (half-length √λ), with each "
                "point joined to the first axis",
            },
        ),
        Plot(
            "svd-error",
            ("linalg.svd",),
            _svd_error,
            {
                "ko": "남긴 특잇값의 수 k에 따른 근사 오차의 제곱과, 버린 특잇값의 제곱을 쌓은 막대",
                "en": "The squared error of the rank-k approximation against k, beside a stack of the squared "
                "singular values left out",
            },
        ),
        Plot(
            "eigen-stretch",
            ("linalg.eigen",),
            _eigen_stretch,
            {
                "ko": "단위원과 A를 곱한 타원. 고유벡터는 A를 곱해도 같은 직선 위에서 고윳값배가 된다",
                "en": "The unit circle and its image under A, an ellipse; each eigenvector stays on its line "
                "and is scaled by its eigenvalue",
            },
        ),
        Plot(
            "gradient-descent-path",
            ("neural.gradient_descent",),
            _gradient_descent_path,
            {
                "ko": "손실 함수 위에 그린 경사 하강법의 반복값과, 갱신 횟수에 따른 손실",
                "en": "The gradient-descent iterates on the loss, and the loss against the number of updates",
            },
        ),
        Plot(
            "overfitting",
            ("neural.polynomial_fit",),
            _overfitting,
            {
                "ko": "다항식 차수에 따른 학습 오차와 검증 오차. 검증 오차가 가장 작은 차수를 표시했다",
                "en": "Training and validation error against the polynomial degree, with the degree of least "
                "validation error marked",
            },
        ),
        Plot(
            "gradient-depth",
            ("neural.vanishing_gradient",),
            _gradient_depth,
            {
                "ko": "깊이에 따른 기울기 배율의 상한(도함수 최댓값의 거듭제곱)",
                "en": "The bound on the gradient factor against depth, a power of the derivative's maximum",
            },
        ),
        Plot(
            "likelihood-bernoulli",
            ("probability.mle",),
            _likelihood("likelihood-bernoulli"),
            {
                "ko": "0과 1로 된 표본 10개의 로그우도와, 그 최댓값인 최대우도추정값",
                "en": "The log-likelihood of a sample of ten 0s and 1s, with its maximum at the maximum-likelihood "
                "estimate",
            },
        ),
        Plot(
            "likelihood-normal",
            ("probability.mle",),
            _likelihood("likelihood-normal"),
            {
                "ko": "표본 5개에 대한 두 모수의 로그우도 등고선과, 최댓값인 최대우도추정값",
                "en": "Contours of the log-likelihood of a sample of five over both parameters, with its maximum "
                "at the maximum-likelihood estimates",
            },
        ),
        Plot(
            "computation-graph",
            ("neural.backprop",),
            _computation_graph,
            {
                "ko": "신경망의 계산 그래프: 순전파 x → z → a → L과 가중치, 거꾸로 전달되는 손실의 기울기",
                "en": "The network's computation graph: the forward pass x → z → a → L with the weights, and the "
                "gradients of the loss passed back",
            },
        ),
        Plot(
            "gradient-field",
            ("calculus.gradient",),
            _gradient_field,
            {
                "ko": "함수의 등고선과 격자점마다 그린 기울기 벡터 ∇f",
                "en": "Contours of the function and the gradient vector ∇f drawn on a grid",
            },
        ),
    )
}
