"""Exercise 05 — counting parameters and shapes (compter les paramètres et les dimensions).
Seeds 000, 002 and 004.

Goal: before training a network, know how big it is. Seed 000 counts the parameters of small
dense networks by hand (9 for a 2-2-1 network, 33 for 2-5-3, ``795n + 10`` for a 784-n-10
MNIST network); seed 004 asks for the general formula; seed 002 ("Le jeu des dimensions")
gives the size of a convolution's output with padding and stride, and explains pooling.

What you will have learnt:
- a dense layer from ``n_in`` to ``n_out`` neurons has ``n_in · n_out`` weights and ``n_out``
  biases (one per neuron, none for the input layer);
- a convolution layer shares its weights: its parameter count does not depend on the image
  size, only on the kernel, the channels and the number of filters;
- the output size of a convolution or pooling layer, ``⌊(H − K + 2P)/S⌋ + 1``, and the
  "same" padding that keeps the size;
- how a stack of convolutions and poolings shrinks an image (the shapes Keras' ``summary()``
  prints).

Every answer is a whole number (a Python ``int`` is best) or a tuple of them. Arguments are
Python or numpy integers.

Run ``grader run -e ex05`` to check your work.
"""

from __future__ import annotations


def count_dense_params(sizes):
    """The number of parameters (nombre de paramètres) of a fully connected network.

    ``sizes`` lists the number of neurons of each layer, input layer first (seed 001's
    ``tailles``). Seed 000, "Calculer le nombre de paramètre à apprendre": between a layer of
    ``n_in`` neurons and the next of ``n_out``, there are ``n_in · n_out`` weights ("on a deux
    neurones et deux entrées ⇒ 2 · 2 = 4 paramètres") plus one bias per neuron of the next
    layer ("chaque neurone a un b"); the input layer has no bias. So

        count = Σ_l (n_l · n_{l+1} + n_{l+1})

    In this library a dense layer is ``{"w": (n_in, n_out), "b": (n_out,)}``: the count is the
    total number of entries of all ``w`` and ``b`` arrays.

    Args:
      sizes: a list (or tuple, or 1-D array) of layer sizes ``[n_0, n_1, …, n_L]``.

    Returns:
      An ``int``. A network with a single layer (no connections) has 0 parameters.

    Example:
      >>> count_dense_params([2, 2, 1])  # seed 000: 6 + 3
      9
      >>> count_dense_params([2, 5, 3])  # seed 000: 15 + 18
      33
      >>> count_dense_params([784, 100, 10])  # seed 000's MNIST network: 795·n + 10
      79510
    """
    raise NotImplementedError(
        "count_dense_params: for each pair of consecutive layers add n_in*n_out + n_out"
    )


def conv_output_size(h, k, p=0, s=1):
    """The output size (taille de sortie) of a convolution along one dimension.

    Seed 002, "Le jeu des dimensions": with an input of size ``H``, a kernel (filtre) of size
    ``K``, a padding of ``P`` zeros on **each** side and a stride (pas, « enjambement ») ``S``,

        MatriceSortante = (H − K + 2P) / S + 1

    where the division rounds down when it does not fall exactly (the last window must fit
    inside the padded input): ``⌊(H − K + 2P)/S⌋ + 1``. Seed 002's examples: a 32×32 image and
    a 5×5 filter give 28×28; with ``P = 2`` they give 32×32; a 7×7 input with a 3×3 filter and
    a stride of 2 gives 3×3. Pooling uses the same formula with ``P = 0``.

    Args:
      h: the input size ``H`` (height or width).
      k: the kernel size ``K``.
      p: the padding ``P`` added on each side.
      s: the stride ``S``.

    Returns:
      An ``int``.

    Example:
      >>> conv_output_size(32, 5)
      28
      >>> conv_output_size(7, 3, p=0, s=2)
      3
      >>> conv_output_size(8, 3, p=1, s=2)  # ⌊7/2⌋ + 1
      4
    """
    raise NotImplementedError("conv_output_size: (h - k + 2p) // s + 1")


def same_padding(k):
    """The "same" padding (padding « same ») that keeps the size at stride 1, for an odd ``k``.

    Seed 002, "Le padding": "Pour déterminer P, on utilise la formule P = (K − 1)/2 où K est
    la taille du filtre." With it, ``conv_output_size(h, k, same_padding(k), 1) == h``.

    Args:
      k: an odd kernel size.

    Returns:
      An ``int``.

    Example:
      >>> same_padding(5)  # seed 002: a 5×5 filter needs P = 2 to keep 32×32
      2
      >>> same_padding(1)
      0
    """
    raise NotImplementedError("same_padding: (k - 1) // 2")


def count_conv_params(kh, kw, c_in, c_out):
    """The number of parameters of a convolution layer (couche de convolution).

    Seed 002, "Ce que permettent les Réseaux convolutifs": a filter is shared over the whole
    image (« partage de paramètres »), so the count does not depend on the image size. The
    layer has ``c_out`` filters (seed 004: ``filters`` = « nombre de masques »); each filter
    spans a ``kh × kw`` window of **all** ``c_in`` input channels, and has one bias:

        count = kh · kw · c_in · c_out + c_out

    In this library the layer is ``{"w": (kh, kw, c_in, c_out), "b": (c_out,)}``.

    Args:
      kh, kw: the kernel's height and width.
      c_in: the number of input channels.
      c_out: the number of filters (output channels).

    Returns:
      An ``int``.

    Example:
      >>> count_conv_params(3, 3, 3, 32)  # seed 004's first CIFAR-10 layer (Keras says 896)
      896
    """
    raise NotImplementedError(
        "count_conv_params: each of the c_out filters has kh*kw*c_in weights and one bias"
    )


def cnn_output_shape(input_shape, layers):
    """The output shape (dimensions de sortie) of a stack of convolutions and poolings.

    ``input_shape`` is ``(H, W, C)`` (channels last). ``layers`` is a list of tuples, applied in
    order, with square kernels:

    - ``("conv", k, c_out, p, s)``: a ``k × k`` convolution with ``c_out`` filters, padding
      ``p`` on each side and stride ``s``: ``H`` and ``W`` follow ``conv_output_size`` and the
      number of channels becomes ``c_out``;
    - ``("pool", k, s)``: a ``k × k`` pooling (max or average, it does not matter) with stride
      ``s`` and no padding: ``H`` and ``W`` follow ``conv_output_size(·, k, 0, s)`` (rounding
      down) and the channels are unchanged (pooling works channel by channel).

    Seed 004's CIFAR-10 network (``layer_conv_2d(filters = 32, kernel_size = c(3,3))``,
    ``layer_max_pooling_2d(pool_size = c(2,2))``, …) is the example below: 32×32×3 → 30×30×32
    → 15×15×32 → 13×13×64 → 6×6×64 → 4×4×64.

    Args:
      input_shape: ``(H, W, C)``.
      layers: a list of ``("conv", k, c_out, p, s)`` and ``("pool", k, s)`` tuples.

    Returns:
      A tuple ``(H, W, C)`` of ints.

    Example:
      >>> layers = [("conv", 3, 32, 0, 1), ("pool", 2, 2), ("conv", 3, 64, 0, 1),
      ...           ("pool", 2, 2), ("conv", 3, 64, 0, 1)]
      >>> cnn_output_shape((32, 32, 3), layers)
      (4, 4, 64)
    """
    raise NotImplementedError(
        "cnn_output_shape: loop over the layers and update (H, W, C) with conv_output_size"
    )
