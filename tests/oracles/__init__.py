"""Property-based oracle tests: the public contract (SPEC §2) against independent computations.

Each module draws families of inputs with Hypothesis and compares the library's
answers with references computed here by other means: mpmath's numeric
differentiation, exact rational arithmetic (Faddeev–LeVerrier, Fractions),
numpy.linalg, scipy.stats and scipy.optimize, NumPy forward passes and finite
differences. Every helper call and every ``verify()`` runs in a forked child
under a time budget (`harness`), and the tally of all calls is written to
``test-artifacts/oracles.json``.

Run alone with ``python -m pytest tests/oracles``.
"""
