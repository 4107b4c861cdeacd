"""Neural networks: activations, losses, networks and training.

The building blocks (``sigmoid``, ``relu``, ``step``, ``tanh``, ``softmax``,
``cross_entropy``, ``mse``, ``one_hot`` …) return plain SymPy objects so that
they compose; the rest return `glossary.Derivation` s. The functions live in
four modules by concept and are all importable from ``glossary.neural``.
"""

from __future__ import annotations

from .activations import derivative, relu, sigmoid, step, tanh, vanishing_gradient
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy,
    mse,
    mse_gradient,
    one_hot,
    one_hot_encoding,
    softmax,
    softmax_cross_entropy,
    softmax_cross_entropy_gradient,
)
from .networks import backprop, linear_layers
from .training import (
    batch_gradient,
    dropout,
    gradient_descent,
    minibatch_gradient,
    polynomial_fit,
    regularized_update,
)

__all__ = [
    "backprop",
    "batch_gradient",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "cross_entropy",
    "derivative",
    "dropout",
    "gradient_descent",
    "linear_layers",
    "minibatch_gradient",
    "mse",
    "mse_gradient",
    "one_hot",
    "one_hot_encoding",
    "polynomial_fit",
    "regularized_update",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_gradient",
    "step",
    "tanh",
    "vanishing_gradient",
]
