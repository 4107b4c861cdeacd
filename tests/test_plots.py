"""Plots: drawn from real derivations in both languages, legible on a phone, legends and notes covering
nothing, Korean labels in Hangul, the same bytes every run, and what each picture claims."""

from __future__ import annotations

import functools
import io
import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from glossary import plots
from glossary.build.safety import check_svg
from glossary.content.catalog import derive, formula_fields, load_entries
from glossary.plots import PLOTS, WIDTH, font_pixels

ROOT = Path(__file__).resolve().parent.parent
ENTRIES = load_entries(ROOT / "entries")
PLOTTED = [
    (entry_id, formula.id, formula.plot.name)
    for entry_id, loaded in sorted(ENTRIES.items())
    for _, formula in formula_fields(loaded.entry)
    if formula.plot
]
IDS = [f"{entry}--{formula}" for entry, formula, _ in PLOTTED]
HANGUL = re.compile("[\uac00-\ud7a3]")
MATH = re.compile(r"\$[^$]*\$")
#: Latin words a Korean label may keep: names of functions and abbreviations Korean texts write as they are.
LATIN_IN_KOREAN = {"ReLU", "MSE", "tanh", "step"}
#: The axes whose x axis counts something (degree, rank, depth, k), by plot (index of the axes in the figure),
#: and by formula for a plot that draws counts for one formula and a continuous axis for another.
COUNTING_AXES = {"svd-error": 0, "overfitting": 0, "gradient-depth": 0, "gradient-descent-path": 1}
COUNTING_FORMULAS = {("binomial", "concrete"): 0}


@dataclass
class Drawn:
    """What one plot of one formula looks like in one language, measured once."""

    svg: str  # text as paths, as the site ships it (`Plot.draw` itself is tested for repeatable bytes)
    text_svg: str  # text as <text>, to read the words
    width_inches: float
    texts: list[tuple[str, float, tuple[float, float, float, float]]]  # string, size (pt), extent (px)
    figure_box: tuple[float, float, float, float]
    axes_boxes: list[tuple[float, float, float, float]]
    legend_boxes: list[tuple[float, float, float, float]]  # legends of the figure, outside every axes
    axes_legends: list[tuple[tuple[float, float, float, float], int]]  # legends inside an axes, with its index
    note_boxes: list[tuple[tuple[float, float, float, float], object]]
    data: list[object]  # data points of each axes, in display pixels
    integer_ticks: dict[int, bool]
    warnings: list[str]
    figure: object = None


def _box(extent) -> tuple[float, float, float, float]:
    return (float(extent.x0), float(extent.y0), float(extent.x1), float(extent.y1))


def _overlaps(a, b, margin: float = 0.0) -> bool:
    return a[0] < b[2] - margin and b[0] < a[2] - margin and a[1] < b[3] - margin and b[1] < a[3] - margin


def _inside(points: np.ndarray, box) -> np.ndarray:
    return (points[:, 0] > box[0]) & (points[:, 0] < box[2]) & (points[:, 1] > box[1]) & (points[:, 1] < box[3])


def _points(axes) -> np.ndarray:
    """Independent of the module: every line vertex (and a point every pixel along each segment), every
    scatter offset and the corners of every bar, in display pixels."""
    found = [np.empty((0, 2))]
    for line in axes.get_lines():
        xy = np.asarray(line.get_xydata(), dtype=float)
        if not line.get_visible() or not len(xy):
            continue
        shown = line.get_transform().transform(xy)
        shown = shown[np.isfinite(shown).all(axis=1)]
        if line.get_linestyle() not in ("None", "", " ") and len(shown) > 1:
            steps = [a + (b - a) * t for a, b in itertools.pairwise(shown) for t in np.linspace(0, 1, 8)]
            shown = np.array(steps)
        found.append(shown)
    for collection in axes.collections:
        offsets = np.asarray(collection.get_offsets(), dtype=float)
        if len(offsets):
            found.append(collection.get_offset_transform().transform(offsets))
    for container in axes.containers:
        for patch in container:
            box = patch.get_window_extent()
            if box.height > 0:
                found.append(np.array([[box.x0, box.y0], [box.x1, box.y1], [(box.x0 + box.x1) / 2, box.y1]]))
    return np.vstack(found)


@pytest.fixture(scope="module")
def derived():
    """The derivation and arguments of every formula that carries a plot, derived once."""
    out = {}
    for entry_id, formula_id, _ in PLOTTED:
        loaded = ENTRIES[entry_id]
        field = next(f for f, formula in formula_fields(loaded.entry) if formula.id == formula_id)
        derivation, arguments, _ = derive(loaded, field)
        out[entry_id, formula_id] = (derivation, arguments)
    return out


def _measure(plot, derivation, arguments, lang: str) -> Drawn:
    from matplotlib.offsetbox import AnnotationBbox
    from matplotlib.text import Text

    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with plot.figure(derivation, arguments, lang, text_as_paths=False) as figure:
            renderer = figure.canvas.get_renderer()
            axes_list = figure.get_axes()
            # Tick labels of ticks outside the view exist but are not drawn.
            hidden = set()
            for ax in axes_list:
                for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
                    low, high = sorted(axis.get_transform().transform([low, high]))
                    for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                        at = axis.get_transform().transform([tick.get_loc()])[0]
                        if not low - 1e-6 * abs(high - low) <= at <= high + 1e-6 * abs(high - low):
                            hidden.update({id(tick.label1), id(tick.label2)})
            texts = [
                (t.get_text(), t.get_fontsize(), _box(t.get_window_extent(renderer)))
                for t in figure.findobj(Text)
                if t.get_visible() and t.get_text().strip() and id(t) not in hidden
            ]
            notes = [
                (_box(a.offsetbox.get_window_extent(renderer)), ax)
                for ax in axes_list
                for a in ax.artists
                if isinstance(a, AnnotationBbox)
            ]
            ticks = {}
            for index, ax in enumerate(axes_list):
                low, high = sorted(ax.get_xlim())
                shown = [t for t in ax.xaxis.get_majorticklocs() if low - 1e-9 <= t <= high + 1e-9]
                ticks[index] = bool(shown) and all(abs(t - round(t)) < 1e-9 for t in shown)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
            with plots.pyplot().rc_context({"svg.fonttype": "path"}):
                paths = io.StringIO()
                figure.savefig(paths, format="svg", metadata={"Date": None}, transparent=True)
            drawn = Drawn(
                svg=paths.getvalue(),
                text_svg=buffer.getvalue(),
                width_inches=float(figure.get_figwidth()),
                texts=texts,
                figure_box=_box(figure.bbox),
                axes_boxes=[_box(ax.get_window_extent(renderer)) for ax in axes_list],
                legend_boxes=[_box(legend.get_window_extent(renderer)) for legend in figure.legends],
                axes_legends=[
                    (_box(ax.get_legend().get_window_extent(renderer)), index)
                    for index, ax in enumerate(axes_list)
                    if ax.get_legend() is not None
                ],
                note_boxes=[(box, axes_list.index(ax)) for box, ax in notes],
                data=[_points(ax) for ax in axes_list],
                integer_ticks=ticks,
                warnings=[],
            )
    finally:
        logger.removeHandler(handler)
    drawn.warnings = records
    return drawn


@pytest.fixture(scope="module")
def drawn(derived):
    """Every plot of every formula, drawn and measured in both languages."""
    out = {}
    for entry_id, formula_id, name in PLOTTED:
        derivation, arguments = derived[entry_id, formula_id]
        for lang in ("ko", "en"):
            out[entry_id, formula_id, lang] = _measure(PLOTS[name], derivation, arguments, lang)
    return out


# -- the table of plots and the entries -----------------------------------------------------------


def test_every_plot_is_used_and_every_formula_names_a_plot_for_its_helper():
    used = {name for _, _, name in PLOTTED}
    assert used == set(PLOTS), f"plots no entry uses: {set(PLOTS) - used}"
    for plot in PLOTS.values():
        assert plot.alt["ko"].strip() and plot.alt["en"].strip()
        assert HANGUL.search(plot.alt["ko"]) and not HANGUL.search(plot.alt["en"])


def test_the_pictures_a_learner_needs_are_attached_to_their_formulas():
    attached = {(entry, formula): name for entry, formula, name in PLOTTED}
    assert attached["eigenvalue", "eigenpairs"] == "eigen-stretch"
    assert attached["mle", "bernoulli"] == "likelihood-bernoulli"
    assert attached["backpropagation", "two-neurons"] == "computation-graph"
    assert attached["gradient-descent", "converging"] == attached["gradient-descent", "diverging"]
    for activation in ("sigmoid", "tanh", "relu", "step"):
        assert attached["activation-function", f"{activation}-derivative"] == "activation-derivative"


# -- every plot, both languages ---------------------------------------------------------------------


@pytest.mark.parametrize("key", PLOTTED, ids=IDS)
def test_plot_is_a_plain_transparent_svg_of_the_fixed_width(key, drawn):
    entry, formula, _ = key
    for lang in ("ko", "en"):
        svg = drawn[entry, formula, lang].svg
        assert check_svg(svg)
        assert "<dc:date>" not in svg and "<text" not in svg
        background = re.search(r'<g id="patch_1">\s*<path [^>]*style="([^"]*)"', svg)
        assert background and "fill: none" in background.group(1)
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        assert width == pytest.approx(WIDTH * 72)


@pytest.mark.parametrize("key", PLOTTED, ids=IDS)
def test_labels_are_at_least_11_px_on_a_390_px_screen(key, drawn):
    entry, formula, _ = key
    for lang in ("ko", "en"):
        picture = drawn[entry, formula, lang]
        assert picture.texts
        smallest = min(font_pixels(size, picture.width_inches) for _, size, _ in picture.texts)
        assert smallest >= 11, (lang, smallest)
        # The same measure from the SVG: its viewBox width against the size of its largest (unscripted) text.
        view = float(re.search(r'viewBox="0 0 ([\d.]+) ', picture.text_svg).group(1))
        sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", picture.text_svg)]
        assert max(sizes) * 390 / view >= 11


@pytest.mark.parametrize("key", PLOTTED, ids=IDS)
def test_no_text_leaves_the_figure_and_no_glyph_is_missing(key, drawn):
    entry, formula, _ = key
    for lang in ("ko", "en"):
        picture = drawn[entry, formula, lang]
        x0, y0, x1, y1 = picture.figure_box
        for text, _, box in picture.texts:
            assert box[0] >= x0 - 1 and box[2] <= x1 + 1 and box[1] >= y0 - 1 and box[3] <= y1 + 1, (lang, text)
        assert not [w for w in picture.warnings if "glyph" in w], picture.warnings


@pytest.mark.parametrize("key", PLOTTED, ids=IDS)
def test_legends_sit_outside_the_axes_and_notes_cover_no_data(key, drawn):
    entry, formula, _ = key
    for lang in ("ko", "en"):
        picture = drawn[entry, formula, lang]
        for legend in picture.legend_boxes:
            for axes in picture.axes_boxes:
                assert not _overlaps(legend, axes), (lang, legend, axes)
            for points in picture.data:
                assert not _inside(points, legend).any()
        for box, index in picture.note_boxes + picture.axes_legends:
            points = picture.data[index]
            assert not _inside(points, box).any(), (lang, box, points[_inside(points, box)][:3])
            assert _overlaps(box, picture.axes_boxes[index]) and box[0] >= picture.axes_boxes[index][0] - 1


@pytest.mark.parametrize("key", PLOTTED, ids=IDS)
def test_korean_version_speaks_korean(key, drawn):
    entry, formula, _ = key
    ko, en = drawn[entry, formula, "ko"], drawn[entry, formula, "en"]
    english_words = [t for t, _, _ in en.texts if re.search(r"[A-Za-z]{3,}", MATH.sub("", t))]
    if english_words:
        assert HANGUL.search(ko.text_svg), english_words
        assert ko.svg != en.svg
    for text, _, _ in ko.texts:
        words = set(re.findall(r"[A-Za-z]{2,}", MATH.sub("", text)))
        assert words <= LATIN_IN_KOREAN, (text, words)
        # Mathtext has no Hangul: a string with both would draw empty boxes.
        assert not (HANGUL.search(text) and "$" in text), text
    assert not HANGUL.search(en.text_svg)


def _counting_axes(entry: str, formula: str, name: str) -> int | None:
    return COUNTING_AXES.get(name, COUNTING_FORMULAS.get((entry, formula)))


COUNTED = [key for key in PLOTTED if _counting_axes(*key) is not None]


@pytest.mark.parametrize("key", COUNTED, ids=[f"{entry}--{formula}" for entry, formula, _ in COUNTED])
def test_axes_that_count_have_integer_ticks(key, drawn):
    entry, formula, _ = key
    for lang in ("ko", "en"):
        assert drawn[entry, formula, lang].integer_ticks[_counting_axes(*key)], lang


def test_two_draws_are_the_same_bytes(derived):
    for (entry, formula), (derivation, arguments) in derived.items():
        name = dict(((e, f), n) for e, f, n in PLOTTED)[entry, formula]
        first = PLOTS[name].draw(derivation, arguments, "ko")
        assert PLOTS[name].draw(derivation, arguments, "ko") == first, (entry, formula)


def test_a_korean_label_with_mathtext_is_refused():
    with pytest.raises(ValueError, match="mixes Hangul"):
        plots._say("ko", "최댓값 $x$", "maximum $x$")


def test_unknown_language_is_refused(derived):
    from glossary.errors import GlossaryError

    derivation, arguments = derived["svd", "decomposition"]
    with pytest.raises(GlossaryError, match="language"):
        PLOTS["svd-error"].draw(derivation, arguments, "fr")


# -- what the pictures claim ---------------------------------------------------------------------------


def _figure_of(name, derivation, arguments):
    return PLOTS[name].figure(derivation, arguments, "en")


def test_pca_axes_pass_through_the_derived_mean_with_half_length_sqrt_lambda(derived):
    derivation, arguments = derived["pca", "two-dimensional-data"]
    mean = np.array([float(v) for v in derivation.part("mean").value])
    lam1 = float(derivation.part("lambda_1").value)
    lam2 = lam1 / float(derivation.part("ratio_1").value) - lam1
    w1 = np.array([float(v) for v in derivation.part("w_1").value])
    with _figure_of("pca-axes", derivation, arguments) as figure:
        (axes,) = figure.get_axes()
        assert axes.get_aspect() == 1.0
        segments = [np.asarray(line.get_xydata()) for line in axes.get_lines() if line.get_linewidth() > 3]
    assert len(segments) == 2
    halves = []
    for segment in segments:
        assert np.allclose(segment.mean(axis=0), mean)
        halves.append(np.linalg.norm(segment[1] - segment[0]) / 2)
        direction = (segment[1] - segment[0]) / np.linalg.norm(segment[1] - segment[0])
        assert abs(abs(direction @ w1) - 1) < 1e-9 or abs(direction @ w1) < 1e-9
    assert sorted(halves) == pytest.approx(sorted([np.sqrt(lam1), np.sqrt(lam2)]))


def test_eigenvectors_and_their_images_lie_on_one_line(derived):
    derivation, arguments = derived["eigenvalue", "eigenpairs"]
    with _figure_of("eigen-stretch", derivation, arguments) as figure:
        (axes,) = figure.get_axes()
        tips = [np.array(a.xy, dtype=float) for a in axes.texts if getattr(a, "arrow_patch", None) is not None]
        assert axes.get_aspect() == 1.0
    for value, _, vectors in derivation.result:
        for vector in vectors:
            unit = np.array([float(v) for v in vector]) / float(sp.sqrt(sum(v**2 for v in vector)))
            image = float(value) * unit
            assert any(np.allclose(tip, unit) for tip in tips)
            assert any(np.allclose(tip, image) for tip in tips)
            matrix = np.array(arguments["A"].tolist(), dtype=float)
            assert np.allclose(matrix @ unit, image)


def test_svd_plot_shows_the_pages_matrix_errors(derived):
    derivation, arguments = derived["svd", "decomposition"]
    sigmas = [derivation.result[1][i, i] for i in range(min(derivation.result[1].shape))]
    expected = [sum(s**2 for s in sigmas[k:]) for k in range(len(sigmas) + 1)]
    with _figure_of("svd-error", derivation, arguments) as figure:
        (axes,) = figure.get_axes()
        labels = [t.get_text() for t in axes.texts]
    assert labels == [f"${sp.latex(e)}$" for e in expected]


def test_likelihood_is_largest_at_the_estimate_on_the_stated_sample(derived):
    derivation, arguments = derived["mle", "bernoulli"]
    sample = plots.SAMPLES["likelihood-bernoulli"]
    with _figure_of("likelihood-bernoulli", derivation, arguments) as figure:
        (axes,) = figure.get_axes()
        curve, marker = axes.get_lines()[:2]
        title = axes.get_title()
    x, y = np.asarray(curve.get_xdata()), np.asarray(curve.get_ydata())
    assert marker.get_xdata()[0] == pytest.approx(np.mean(sample))
    assert x[np.argmax(y)] == pytest.approx(np.mean(sample), abs=1e-3)
    assert marker.get_ydata()[0] >= y.max() - 1e-12
    assert ", ".join(map(str, sample)) in title


def test_gradient_descent_path_is_the_derived_iterates(derived):
    for formula in ("converging", "diverging"):
        derivation, arguments = derived["gradient-descent", formula]
        iterates = np.array([[float(v) for v in point] for point in derivation.result])
        with _figure_of("gradient-descent-path", derivation, arguments) as figure:
            path, curve = figure.get_axes()
            loss = np.asarray(curve.get_lines()[0].get_ydata())
            lines = path.get_lines()
            marked = [np.asarray(line.get_xydata()) for line in lines if len(line.get_xdata()) == len(iterates)]
        objective = sp.lambdify(arguments["params"], arguments["f"])
        assert loss == pytest.approx([float(objective(*p)) for p in iterates])
        assert any(np.allclose(m[:, 0], iterates[:, 0]) for m in marked)


def test_overfitting_marks_the_degree_of_least_validation_error(derived):
    derivation, arguments = derived["overfitting", "polynomial-degrees"]
    best = min(derivation.result, key=lambda row: float(row[2]))[0]
    with _figure_of("overfitting", derivation, arguments) as figure:
        (axes,) = figure.get_axes()
        vertical = [line for line in axes.get_lines() if line.get_linestyle() == "--"]
    assert len(vertical) == 1 and vertical[0].get_xdata()[0] == int(best)


def test_distribution_marks_the_derived_mean(derived):
    for entry, formula in (("binomial", "concrete"), ("normal", "standard-moments")):
        derivation, arguments = derived[entry, formula]
        with _figure_of("distribution", derivation, arguments) as figure:
            (axes,) = figure.get_axes()
            lines = [line for line in axes.get_lines() if len(set(line.get_xdata())) == 1]
        assert lines and lines[0].get_xdata()[0] == pytest.approx(float(derivation.result[0]))


def test_activation_plot_draws_the_derived_derivative_not_a_copy(derived):
    """The same plot on the four derivative formulas draws four different derivatives."""
    pictures = set()
    for activation in ("sigmoid", "tanh", "relu", "step"):
        derivation, arguments = derived["activation-function", f"{activation}-derivative"]
        x = arguments["x"]
        with _figure_of("activation-derivative", derivation, arguments) as figure:
            (axes,) = figure.get_axes()
            derivative_lines = [line for line in axes.get_lines() if line.get_color() == plots.COLORS[1]]
            xs = np.concatenate([line.get_xdata() for line in derivative_lines if len(line.get_xdata()) > 10])
            ys = np.concatenate([line.get_ydata() for line in derivative_lines if len(line.get_xdata()) > 10])
        away = np.abs(xs) > 1e-3
        expected = sp.lambdify(x, derivation.result, "numpy")(xs[away])
        assert np.allclose(ys[away], np.broadcast_to(expected, xs[away].shape))
        pictures.add(tuple(np.round(ys[::40], 6)))
    assert len(pictures) == 4


@pytest.mark.parametrize(
    "svg",
    [
        '<svg onload="alert(1)"></svg>',
        "<svg><SCRIPT>alert(1)</SCRIPT></svg>",
        '<svg>\n<a xlink:href="https://example.org">x</a></svg>',
        '<svg><path d="M0 0" style="fill: url(JavaScript:alert(1))"/></svg>',
        '<svg\tonClick = "alert(1)"></svg>',
        '<svg/onload="alert(1)"></svg>',
        '<svg><rect x="1"onclick="alert(1)"/></svg>',
        '<svg><use href="https://example.org/x.svg#a"/></svg>',
        "<svg><foreignObject><div>x</div></foreignObject></svg>",
        '<svg><image href="data:text/html,x"/></svg>',
        "<html><svg></svg></html>",
    ],
)
def test_an_svg_that_could_run_or_load_something_is_refused(svg):
    assert not check_svg(svg)


def test_a_plain_svg_with_internal_references_passes():
    assert check_svg('<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="#g1"/><path d="M 0 0"/></svg>')


def test_labels_parsed_once_per_process_draw_what_matplotlib_alone_draws(derived, monkeypatch):
    """The shared mathtext parses change no drawing: the same SVG as with matplotlib's own per-renderer
    cache, up to the ids matplotlib numbers clip paths with."""
    from matplotlib import mathtext

    shared = mathtext.MathTextParser._parse_cached
    assert getattr(shared, "shared_by_glossary", False)  # installed by plots.pyplot()
    ids = re.compile(r'(?<=["(#])p[0-9a-f]{10}\b')
    picked = [key for key in derived if dict(((e, f), n) for e, f, n in PLOTTED)[key] in ("svd-error", "distribution")]
    assert picked
    for entry, formula in picked:
        name = dict(((e, f), n) for e, f, n in PLOTTED)[entry, formula]
        derivation, arguments = derived[entry, formula]
        with_shared = [PLOTS[name].draw(derivation, arguments, lang) for lang in ("ko", "en")]
        monkeypatch.setattr(mathtext.MathTextParser, "_parse_cached", functools.lru_cache(50)(shared.matplotlib_parse))
        plain = [PLOTS[name].draw(derivation, arguments, lang) for lang in ("ko", "en")]
        monkeypatch.undo()
        for one, other in zip(with_shared, plain, strict=True):
            assert ids.sub("p", one) == ids.sub("p", other), (entry, formula)
