"""Exercise 13 — convolution, filters and pooling (convolution, filtres, pooling). Seed 002.

Goal: write by hand the operations a convolutional network is made of (seed 002, "Partie II :
Les Réseaux de Neurones Convolutifs"): the discrete convolution and its sibling the
cross-correlation, with padding and stride; two classic image filters (Sobel's edge
detector and the median filter); max and average pooling; the multi-channel convolution
layer; and finally its backward pass, seed 002's "Rétropropagation étapes I et II".

What you will have learnt:
- the difference between convolution (kernel rotated by 180°) and cross-correlation (what
  deep-learning libraries call "convolution");
- output sizes: ``(H − K + 2P) // S + 1`` (seed 002, "Le jeu des dimensions");
- what padding does at the borders (zeros, or a reflection of the image);
- the NHWC / HWIO layouts of ``jax.lax.conv_general_dilated`` and flax;
- the gradients of a convolution: a correlation for the weights, a "full" convolution with
  the rotated kernel for the input.

Conventions: single-channel images are 2-D arrays ``(H, W)``; batches are NHWC
``(N, H, W, C)``; conv weights are ``(KH, KW, C_in, C_out)``. Inputs may be numpy or jax
arrays, float32 or float64; return arrays of a floating dtype (numpy or jax). Padding is
always symmetric (``padding`` rows/columns on each side) and, unless said otherwise, made of
zeros (``numpy.pad(x, padding)``). Python loops over the kernel's offsets are fine; loops
over every pixel work too, only slower.

Run ``grader run -e ex13`` to check your work.
"""

from __future__ import annotations

import numpy as np

# Given (not graded): seed 002's Sobel kernels, "Le filtre de Sobel".
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
SOBEL_Y = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])


def correlate2d(image, kernel, padding=0, stride=1):
    """Cross-correlation of a single-channel image with a kernel (corrélation croisée).

    Slide the kernel over the zero-padded image, ``stride`` pixels at a time, and at each
    position sum the products of the overlapping values. With ``xpad`` the image padded by
    ``P = padding`` zeros on every side, ``S = stride`` and the kernel ``k`` of shape
    ``(KH, KW)``:

        out[i, j] = Σ_m Σ_n xpad[S·i + m, S·j + n] · k[m, n]      (m < KH, n < KW)

    This is the sum seed 002 writes ``x_{i,j} = Σ_m Σ_n w_{m,n} · o_{i+m, j+n}`` for a
    network's layer (its ``w`` is our ``kernel``, its ``o`` our ``image``, with S = 1), and
    what ``jax.lax.conv_general_dilated`` computes. Seed 002, "Le jeu des dimensions", gives
    the output size ``(H − K + 2P) / S + 1``, rounded down:

        OH = (H + 2P − KH) // S + 1,   OW = (W + 2P − KW) // S + 1

    Kernels may be even-sized or not square.

    Args:
      image: ``(H, W)``.
      kernel: ``(KH, KW)``.
      padding: P ≥ 0, zeros added on each side (le padding).
      stride: S ≥ 1, the step of the window (le stride, « enjambement »).

    Returns:
      ``(OH, OW)`` array.

    Example:
      >>> x = np.arange(16.0).reshape(4, 4)
      >>> correlate2d(x, np.array([[1.0, 0.0], [0.0, -1.0]]))  # x[i, j] − x[i+1, j+1]
      array([[-5., -5., -5.],
             [-5., -5., -5.],
             [-5., -5., -5.]])
      >>> correlate2d(x, np.ones((3, 3)), padding=1, stride=2)  # 3×3 sums, zeros around
      array([[10., 24.],
             [51., 90.]])
    """
    raise NotImplementedError(
        "correlate2d: pad with zeros, then add kernel[m, n] * (a strided slice of the image)"
    )


def convolve2d(image, kernel, padding=0, stride=1):
    """The discrete convolution (produit de convolution) of an image with a kernel.

    Seed 002, "Convolution discrète": ``(f * g)(n) = Σ_m f(n − m) g(m)``: in a true
    convolution the kernel's index runs *backwards*, which amounts to a cross-correlation
    with the kernel rotated by 180° (flipped upside down and left to right):

        convolve2d(x, k, P, S) == correlate2d(x, k[::-1, ::-1], P, S)

    (``scipy.signal.convolve2d(x, k, mode="valid")`` for P = 0, S = 1.) Same zero padding,
    stride and output size as :func:`correlate2d`. For a symmetric kernel the two agree; for
    an asymmetric one they do not.

    Args:
      image: ``(H, W)``.
      kernel: ``(KH, KW)``.
      padding: P ≥ 0.
      stride: S ≥ 1.

    Returns:
      ``(OH, OW)`` array, ``OH = (H + 2P − KH) // S + 1`` and likewise OW.

    Example:
      >>> x = np.arange(16.0).reshape(4, 4)
      >>> convolve2d(x, np.array([[1.0, 0.0], [0.0, -1.0]]))  # the kernel is flipped: +5
      array([[5., 5., 5.],
             [5., 5., 5.],
             [5., 5., 5.]])
    """
    raise NotImplementedError("convolve2d: rotate the kernel by 180° and cross-correlate")


def sobel_edges(image):
    """Edge strength with Sobel's filter (le filtre de Sobel), seed 002.

    Seed 002 approximates the image's derivatives with two kernels applied with ``*``
    (a convolution), given above as ``SOBEL_X`` and ``SOBEL_Y``:

        Gx = SOBEL_X * A,   Gy = SOBEL_Y * A      (A: the image, zero padding of 1)
        edges = √(Gx² + Gy²)

    The padding of 1 (seed 002's ``P = (K − 1) / 2``) keeps the output the size of the image;
    pixels outside the image count as 0, so the border of a bright image responds too.
    (Whether you convolve or cross-correlate does not change √(Gx² + Gy²): rotating these
    kernels by 180° only changes their sign.)

    Args:
      image: ``(H, W)``, H and W ≥ 2.

    Returns:
      ``(H, W)`` array ≥ 0.

    Example:
      >>> x = np.zeros((4, 4)); x[:, 2:] = 1.0  # a vertical edge between columns 1 and 2
      >>> sobel_edges(x)  # the right border responds too: the padding is dark (zeros)
      array([[0.        , 3.16227766, 4.24264069, 4.24264069],
             [0.        , 4.        , 4.        , 4.        ],
             [0.        , 4.        , 4.        , 4.        ],
             [0.        , 3.16227766, 4.24264069, 4.24264069]])
    """
    raise NotImplementedError(
        "sobel_edges: Gx and Gy with padding=1 (use your convolve2d), then sqrt(Gx**2 + Gy**2)"
    )


def median_filter(image, size=3):
    """The median filter (le filtre médian): each pixel becomes the median of its window.

    Seed 002: "Le filtre récupère la valeur médiane des pixels initiaux et supprime
    localement les valeurs aberrantes" (it removes isolated outliers, e.g. salt-and-pepper
    noise, while keeping edges sharp). The window is ``size × size``, centred on the pixel.
    To keep the output the size of the image, pad by ``r = size // 2`` on each side by
    *reflection*, as ``numpy.pad(image, r, mode="reflect")`` does: the edge value is not
    repeated (row −1 is row 1): ``[a, b, c, …]`` becomes ``[…, c, b, a, b, c, …]``.
    (Not ``mode="edge"`` (a, a, a, b), not ``mode="symmetric"`` (b, a, a, b), not zeros.)

    Args:
      image: ``(H, W)``, with H and W > size // 2.
      size: the window's side, a positive odd number.

    Returns:
      ``(H, W)`` array.

    Example:
      >>> x = np.array([[1.0, 2.0, 3.0], [4.0, 100.0, 6.0], [7.0, 8.0, 9.0]])
      >>> median_filter(x)  # the outlier 100 is gone
      array([[4., 4., 6.],
             [7., 6., 8.],
             [8., 7., 9.]])

    (By reflection the top-left window is rows 1, 0, 1 × columns 1, 0, 1: it holds
    100, 4, 100, 2, 1, 2, 100, 4, 100, whose median is 4.)
    """
    raise NotImplementedError(
        "median_filter: np.pad(image, size // 2, mode='reflect'), then the median of each window"
    )


def max_pool2d(x, size=2, stride=2):
    """Max pooling (pooling par maximum) of an NHWC batch, each channel separately.

    Seed 002, "Le Pooling": a ``size × size`` window moved ``stride`` pixels at a time keeps
    the largest value it covers; no padding, and a window that would stick out of the image
    is dropped, so ``OH = (H − size) // stride + 1`` (rounded down; likewise OW):

        out[n, i, j, c] = max_{m, q < size} x[n, stride·i + m, stride·j + q, c]

    Pool over the two spatial axes (1 and 2) only: never across channels (axis 3) or
    examples (axis 0). Windows overlap when ``stride < size``.

    Args:
      x: ``(N, H, W, C)``.
      size: the window's side.
      stride: the step between windows.

    Returns:
      ``(N, OH, OW, C)`` array.

    Example:
      >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
      >>> max_pool2d(x)[0, :, :, 0]
      array([[ 5.,  7.],
             [13., 15.]])
      >>> max_pool2d(np.zeros((2, 5, 7, 3))).shape  # 5 // 2 = 2, 7 // 2 = 3
      (2, 2, 3, 3)
    """
    raise NotImplementedError(
        "max_pool2d: OH = (H - size) // stride + 1; take the max over strided slices of axes 1, 2"
    )


def avg_pool2d(x, size=2, stride=2):
    """Average pooling (pooling par moyenne) of an NHWC batch, each channel separately.

    Seed 002: "le pooling par moyenne qui renvoie dans la matrice sortante la moyenne de la
    matrice que le filtre parcourt". Same windows and output size as :func:`max_pool2d`:

        out[n, i, j, c] = (1 / size²) · Σ_{m, q < size} x[n, stride·i + m, stride·j + q, c]

    Args:
      x: ``(N, H, W, C)``.
      size: the window's side.
      stride: the step between windows.

    Returns:
      ``(N, OH, OW, C)`` array, ``OH = (H − size) // stride + 1`` and likewise OW.

    Example:
      >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
      >>> avg_pool2d(x)[0, :, :, 0]
      array([[ 2.5,  4.5],
             [10.5, 12.5]])
    """
    raise NotImplementedError("avg_pool2d: like max_pool2d with the mean of each window")


def conv2d(x, w, b, stride=1, padding=0):
    """A convolution layer (couche de convolution) on an NHWC batch with several channels.

    Each output channel ``o`` is the sum over the input channels ``c`` of the
    cross-correlations of channel ``c`` with the kernel ``w[:, :, c, o]``, plus the bias
    ``b[o]`` (seed 002's ``x_{i,j} = Σ_m Σ_n w_{m,n} o_{i+m,j+n} + b``, extended to channels
    and to a stride S). With ``xpad`` x padded by P zeros on both spatial sides only:

        out[n, i, j, o] = b[o] + Σ_{m<KH} Σ_{q<KW} Σ_{c<C_in} xpad[n, S·i + m, S·j + q, c] · w[m, q, c, o]

    This is ``jax.lax.conv_general_dilated(x, w, (S, S), [(P, P), (P, P)],
    dimension_numbers=("NHWC", "HWIO", "NHWC")) + b`` (no kernel flip), which you may use to
    test your code, not in it. Tip: for each offset (m, q), ``patch @ w[m, q]`` multiplies an
    ``(N, OH, OW, C_in)`` slice by a ``(C_in, C_out)`` matrix.

    Args:
      x: ``(N, H, W, C_in)``.
      w: ``(KH, KW, C_in, C_out)``.
      b: ``(C_out,)``.
      stride: S ≥ 1.
      padding: P ≥ 0.

    Returns:
      ``(N, OH, OW, C_out)`` array, ``OH = (H + 2P − KH) // S + 1`` and likewise OW.

    Example:
      >>> x = np.ones((1, 3, 3, 2))            # two channels of ones
      >>> w = np.ones((2, 2, 2, 1))            # sums 2·2·2 = 8 values
      >>> conv2d(x, w, np.array([0.5]))[0, :, :, 0]
      array([[8.5, 8.5],
             [8.5, 8.5]])
      >>> conv2d(x, w, np.array([0.0]), padding=1).shape
      (1, 4, 4, 1)
    """
    raise NotImplementedError(
        "conv2d: pad axes 1 and 2, then for each kernel offset add (strided slice) @ w[m, q]"
    )


def conv2d_backward(x, w, delta, padding=0):
    """Backpropagation through ``conv2d`` (rétropropagation dans une couche de convolution).

    ``out = conv2d(x, w, b, stride=1, padding=P)`` and ``delta = δ = ∂E/∂out`` of shape
    ``(N, OH, OW, C_out)`` are given; return the gradients of the error E with respect to
    the weights, the bias and the input, **by hand** (no ``jax.grad``, ``jax.vjp`` or other
    automatic differentiation: the grader checks). Seed 002, "Rétropropagation" (its
    ``w^l`` is our ``w``, its ``o^{l−1}`` our padded input ``xpad``, its ``δ^l`` our
    ``delta``; one example and one channel there, sums over both here):

    Step I (étape I), the weights: each weight touches every output position, so

        ∂E/∂w[m, q, c, o] = Σ_n Σ_i Σ_j δ[n, i, j, o] · xpad[n, i + m, j + q, c]

    (the correlation of xpad with δ: seed 002's ``rot180{δ} * o``), and the bias
    ``∂E/∂b[o] = Σ_n Σ_i Σ_j δ[n, i, j, o]``: both summed over the batch *and* the positions.

    Step II (étape II), the input: seed 002's ``∂E/∂x = δ * rot180{w}``: pad δ with
    ``K − 1`` zeros on each side, cross-correlate it with the kernel rotated by 180°
    (``w[::-1, ::-1]``) whose channel axes are swapped (``(KH, KW, C_out, C_in)``): that
    "full" correlation is ∂E/∂xpad, of shape ``(N, H + 2P, W + 2P, C_in)``. Equivalently,
    scatter: ``∂E/∂xpad[n, i + m, j + q, :] += δ[n, i, j, :] @ w[m, q].T``. Finally drop
    the padding border: ∂E/∂x = ∂E/∂xpad[:, P:P+H, P:P+W, :], the shape of x.

    Args:
      x: ``(N, H, W, C_in)``, the layer's input.
      w: ``(KH, KW, C_in, C_out)``.
      delta: ``(N, OH, OW, C_out)`` with ``OH = H + 2P − KH + 1``, ``OW = W + 2P − KW + 1``.
      padding: P ≥ 0 (stride 1 only).

    Returns:
      ``(dw, db, dx)`` of shapes ``(KH, KW, C_in, C_out)``, ``(C_out,)``, ``(N, H, W, C_in)``.

    Example:
      >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
      >>> w = np.array([[1.0, 2.0], [3.0, 4.0]]).reshape(2, 2, 1, 1)
      >>> dw, db, dx = conv2d_backward(x, w, np.ones((1, 2, 2, 1)))
      >>> dw[:, :, 0, 0]  # sums of the four 2×2 windows' pixels
      array([[ 8., 12.],
             [20., 24.]])
      >>> db
      array([4.])
      >>> dx[0, :, :, 0]  # how many times, and with which weight, each pixel was used
      array([[ 1.,  3.,  2.],
             [ 4., 10.,  6.],
             [ 3.,  7.,  4.]])
    """
    raise NotImplementedError(
        "conv2d_backward: dw from slices of the padded x times delta; db = delta summed; "
        "dx = full correlation of delta with the rotated kernel, border removed"
    )
