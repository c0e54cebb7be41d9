"""Exercise 14 — a convolutional network and a residual block (réseau convolutif, bloc
résiduel). Seeds 002 and 004.

Goal: design your own small convolutional neural network (CNN, réseau de neurones
convolutif) for the 8x8 handwritten digits, and write the building block of ResNets.
Seed 002 describes Yann LeCun's architecture: "La convolution de l'image rentrante par les
filtres. L'application de la fonction d'activation. La réduction du volume (Pooling Layer)",
repeated, then the result is "déroulée" (flattened) into a fully connected network. Seed 004
builds the same thing with Keras (``layer_conv_2d`` → ``layer_max_pooling_2d`` → … →
``layer_flatten`` → ``layer_dense``).

You write the network; the grader trains it. Its own training loop calls your
``init_cnn`` once and your ``cnn_apply`` at every step (Adam, softmax cross-entropy,
10 epochs, ``jax.jit``), then measures the accuracy on held-out digits it never showed you
the labels of. To pass: at least 90 % held-out accuracy, at most 200,000 parameters, and
training within the time budget.

What you will have learnt:
- how convolutions (with 'SAME' padding), ReLU and max-pooling shrink an image into features,
  and how a dense head turns them into class scores (logits);
- how to count a network's parameters and keep it small (pooling before the dense layers);
- the pure-functional style: parameters are a pytree, ``apply`` is a pure function that
  ``jax.jit`` and ``jax.grad`` can transform, randomness comes only from explicit keys;
- the residual block (bloc résiduel) ``relu(x + F(x))`` and why, with ``F = 0``, it is the
  identity (seed 002: "revient à apprendre la fonction identité").

Conventions (the project's): images are NHWC ``(N, H, W, C)`` float32 in ``[0, 1]``; a
convolution's params are ``{"w": (KH, KW, C_in, C_out), "b": (C_out,)}`` (flax's HWIO
layout); a dense layer's ``{"w": (n_in, n_out), "b": (n_out,)}`` with ``y = x @ w + b``
(seed notation ``W`` is ``(n_out, n_in)``: ``w_here == W_seed.T``).

The helpers ``conv2d`` and ``max_pool`` below are given (not graded). You may also use your
own functions from ex13 or the ``jaxnn.layers`` library.

Run ``grader run -e ex14`` to check your work.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

# -- given helpers (not graded) -------------------------------------------------------------------


def conv2d(x, w, b, padding="SAME"):
    """2-D convolution (convolution) of NHWC images with an HWIO kernel, plus a bias.

    Seed 002: output size ``(H − K + 2P) / S + 1``; 'SAME' pads with ``P = (K − 1) / 2`` zeros
    so that the output keeps the input's height and width (stride ``S = 1``); 'VALID' does
    not pad (the output shrinks by ``K − 1``).

    Args:
      x: images ``(N, H, W, C_in)``.
      w: kernel ``(KH, KW, C_in, C_out)``.
      b: bias ``(C_out,)``.
      padding: ``"SAME"`` or ``"VALID"``.

    Returns:
      ``(N, H, W, C_out)`` with 'SAME', ``(N, H − KH + 1, W − KW + 1, C_out)`` with 'VALID'.
    """
    y = lax.conv_general_dilated(
        x, w, window_strides=(1, 1), padding=padding, dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    return y + b


def max_pool(x, size=2):
    """Max pooling (pooling par maximum) with a ``size × size`` window and stride ``size``.

    Seed 002: "un filtre de taille k avec un stride S=k"; ``(N, H, W, C)`` becomes
    ``(N, H // size, W // size, C)``.
    """
    window = (1, size, size, 1)
    return lax.reduce_window(x, -jnp.inf, lax.max, window, window, "VALID")


# -- your work ----------------------------------------------------------------------------------


def init_cnn(key, input_shape, num_classes):
    """Create the parameters (paramètres) of your CNN, with random weights drawn from ``key``.

    Design the network yourself. A good start (seed 002's pattern, twice, then a dense head)::

        conv 3x3, C → 16 filters, ReLU, max-pool 2x2       (8x8x1  → 4x4x16)
        conv 3x3, 16 → 32 filters, ReLU, max-pool 2x2      (4x4x16 → 2x2x32)
        flatten, dense → 64, ReLU, dense → num_classes     (128 → 64 → 10)

    Counting parameters (seed 004's question "combien de paramètres doit-on apprendre ?"):
    a KxK convolution from C_in to C_out has ``K·K·C_in·C_out + C_out``; a dense layer
    ``n_in·n_out + n_out``. The network above has 160 + 4,640 + 8,256 + 650 = 13,706 for
    digits. The budget is 200,000: pool before the dense head.

    Rules:
    - Size every layer from ``input_shape = (H, W, C)`` and ``num_classes``: the grader also
      builds your network for ``(12, 12, 3)`` images and 5 classes. After two 2x2 poolings
      the flattened size is ``(H // 4) * (W // 4) * filters``.
    - Draw the weights from ``key`` only (``k1, k2, … = jax.random.split(key, n)``): the same
      key gives the same parameters, another key others. Never all zeros (every filter would
      stay identical). He initialisation suits ReLU: ``normal · sqrt(2 / fan_in)`` with
      ``fan_in = K·K·C_in`` (conv) or ``n_in`` (dense); biases at zero.
    - Every leaf must be a float array (the grader's Adam trains them all): keep strides,
      sizes and such out of the parameters.

    Args:
      key: a ``jax.random.key``.
      input_shape: ``(H, W, C)`` of one image, e.g. ``(8, 8, 1)``.
      num_classes: number of classes, e.g. 10.

    Returns:
      A pytree of float arrays (dicts and lists), e.g.
      ``{"conv1": {"w": (3, 3, 1, 16), "b": (16,)}, …, "dense2": {"w": (64, 10), "b": (10,)}}``.

    Example:
      >>> params = init_cnn(jax.random.key(0), (8, 8, 1), 10)
      >>> sum(leaf.size for leaf in jax.tree_util.tree_leaves(params)) <= 200_000
      True
    """
    raise NotImplementedError(
        "init_cnn: split the key, one subkey per layer; He-normal conv and dense weights"
    )


def cnn_apply(params, x, train=False, key=None):
    """The forward pass (propagation avant) of your CNN: logits for a batch of images.

    Seed 002's classic architecture: [convolution → activation (ReLU) → pooling] repeated,
    then flatten ("la matrice résultante est déroulée") and fully connected layers. The
    output is the logits ``z`` (scores before softmax), ``(N, num_classes)``: the grader's
    loss is ``softmax_cross_entropy(z, y)``, seed 004's ``CE = −Σ_j y^(j) log p_j`` with
    ``p = softmax(z)``; do not apply softmax yourself.

    ``train`` and ``key``: the grader calls ``cnn_apply(params, x, train=True, key=k)`` at
    every training step (a fresh ``k`` each time) and ``cnn_apply(params, x)`` to evaluate.
    Without dropout you can ignore both. With dropout (optional), use ``key`` only when
    ``train`` is True: evaluation must need no key and be deterministic.

    The function must be a pure jax function (the grader ``jax.jit``-compiles it and takes
    its gradient): jnp operations, no Python ``if`` on array values, no numpy conversions.

    Args:
      params: what your ``init_cnn`` returned.
      x: images ``(N, H, W, C)``, float32 in ``[0, 1]`` (numpy or jax).
      train: training mode (True) or evaluation mode (False, the default).
      key: a ``jax.random.key`` when ``train`` is True, else None.

    Returns:
      Logits ``(N, num_classes)``.

    Example:
      >>> params = init_cnn(jax.random.key(0), (8, 8, 1), 10)
      >>> cnn_apply(params, jnp.zeros((5, 8, 8, 1))).shape
      (5, 10)
    """
    raise NotImplementedError(
        "cnn_apply: conv2d → relu → max_pool twice, reshape(x.shape[0], -1), dense → relu → dense"
    )


def residual_block(params, x):
    """A residual block (bloc résiduel, ResNet): ``relu(x + F(x))``.

    Seed 002, "Les Residual Neural Network": the activation ``a^l`` is reused two layers
    later, ``a^{l+2} = g(z^{l+2} + a^l)`` with ``z^{l+2} = w^{l+2} a^{l+1} + b^{l+2}``. Here
    ``a^l = x``, ``g = relu`` and ``F`` is two 3x3 convolutions with a ReLU between them::

        h = relu(conv1(x))          conv1: 3x3, 'SAME', C → M channels, with its bias
        F = conv2(h)                conv2: 3x3, 'SAME', M → C channels, with its bias
        out = relu(x + F)           the ReLU comes after the addition

    Both convolutions are 'SAME'-padded so that ``F`` has ``x``'s shape and can be added to
    it. Seed 002's identity argument: when weight decay drives ``w^{l+2}`` and ``b^{l+2}`` to
    0, ``a^{l+2} = g(a^l)``; with every weight and bias zero this block returns ``relu(x)``.

    Args:
      params: ``{"conv1": {"w": (3, 3, C, M), "b": (M,)}, "conv2": {"w": (3, 3, M, C), "b": (C,)}}``.
      x: ``(N, H, W, C)``.

    Returns:
      ``(N, H, W, C)``.

    Example:
      >>> zero = {"conv1": {"w": jnp.zeros((3, 3, 1, 2)), "b": jnp.zeros(2)},
      ...         "conv2": {"w": jnp.zeros((3, 3, 2, 1)), "b": jnp.zeros(1)}}
      >>> residual_block(zero, jnp.array([-1.0, 2.0]).reshape(1, 1, 2, 1)).ravel()
      Array([0., 2.], dtype=float32)
    """
    raise NotImplementedError(
        "residual_block: h = relu(conv2d(x, ...conv1)); return relu(x + conv2d(h, ...conv2))"
    )
