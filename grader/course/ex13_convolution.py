"""Checks for ex13_convolution (public)."""

from __future__ import annotations

import numpy as np

from grader.compare import Tolerance
from grader.course.common import case, cases_of, forbidden
from grader.i18n import Text
from grader.spec import Exercise, compare, static

# Window sums of up to a few hundred float32 products: a little more room than the default.
SUM_TOL = Tolerance(float32=(1e-4, 1e-5))


def image(rng, *shape):
    """Uniform in [0, 1), float32: an image (H, W) or a batch (N, H, W, C)."""
    return rng.random(shape).astype(np.float32)


def kernel(rng, *shape):
    return rng.normal(size=shape).astype(np.float32)


def case_with(what, en, fr, *args, **kwargs):
    """A case labelled ``en``/``fr``, then ``what`` (``(en, fr)`` or ``()``), the case's
    particularity."""
    if what:
        en, fr = f"{en}, {what[0]}", f"{fr}, {what[1]}"
    return case(en, fr, *args, **kwargs)


def conv_case(rng, h, w, kh, kw, padding=None, stride=None, *what):
    """A (image, kernel[, padding[, stride]]) case, omitted arguments left to their defaults."""
    pads = f"padding {padding or 0}, stride {stride or 1}"
    en, fr = f"image {h}×{w}, kernel {kh}×{kw}, {pads}", f"image {h}×{w}, noyau {kh}×{kw}, {pads}"
    if padding is None and stride is None:
        en, fr = f"{en} (defaults)", f"{fr} (valeurs par défaut)"
    given = [a for a in (padding, stride) if a is not None]
    return case_with(what, en, fr, image(rng, h, w), kernel(rng, kh, kw), *given)


def pool_case(rng, shape, size=None, stride=None, *what):
    sizes = {k: v for k, v in (("size", size), ("stride", stride)) if v is not None}
    desc = f"{shape} (N, H, W, C), size {size or 2}, stride {stride or 2}"
    return case_with(what, f"x of shape {desc}", f"x de forme {desc}", image(rng, *shape), **sizes)


def layer_case(rng, n, h, w, c_in, kh, kw, c_out, stride=1, padding=0, *what):
    x = image(rng, n, h, w, c_in)
    wt = (rng.normal(size=(kh, kw, c_in, c_out)) / np.sqrt(kh * kw * c_in)).astype(np.float32)
    b = kernel(rng, c_out)
    en = f"x {x.shape}, w {wt.shape}, b {b.shape}, stride {stride}, padding {padding}"
    return case_with(what, en, en, x, wt, b, stride, padding)


def backward_case(rng, n, h, w, c_in, kh, kw, c_out, padding, *what):
    x, wt = image(rng, n, h, w, c_in), kernel(rng, kh, kw, c_in, c_out)
    delta = kernel(rng, n, h + 2 * padding - kh + 1, w + 2 * padding - kw + 1, c_out)
    shapes = f"x {x.shape}, w {wt.shape}, delta {delta.shape}, padding {padding}"
    en, fr = f"{shapes} (result: (dw, db, dx))", f"{shapes} (résultat : (dw, db, dx))"
    return case_with(what, en, fr, x, wt, delta, padding)


def salt_and_pepper(rng, h, w):
    x = image(rng, h, w)
    noise = rng.random((h, w))
    x[noise < 0.1] = 0.0
    x[noise > 0.9] = 1.0
    return x


# -- hints -----------------------------------------------------------------------------------

CORRELATE_HINT = Text(
    "out[i, j] = Σ_m Σ_n xpad[S·i + m, S·j + n] · k[m, n], with xpad = np.pad(image, P) (zeros) and OH = (H + 2P − KH) // S + 1: no kernel flip here (that is convolve2d).",
    "out[i, j] = Σ_m Σ_n xpad[S·i + m, S·j + n] · k[m, n], avec xpad = np.pad(image, P) (des zéros) et OH = (H + 2P − KH) // S + 1 : pas de retournement du noyau ici (c'est convolve2d).",
)
CONVOLVE_HINT = Text(
    "A true convolution rotates the kernel by 180°, kernel[::-1, ::-1] (both axes, not a transpose), then cross-correlates, with the same padding and stride.",
    "Une vraie convolution tourne le noyau de 180°, kernel[::-1, ::-1] (les deux axes, pas une transposée), puis fait la corrélation croisée, avec le même padding et le même stride.",
)
SOBEL_HINT = Text(
    "Gx and Gy with seed 002's kernels (SOBEL_X, SOBEL_Y), zero padding of 1 so the output has the image's size, then √(Gx² + Gy²) (not |Gx| + |Gy|, not Gx² + Gy²).",
    "Gx et Gy avec les noyaux de la graine 002 (SOBEL_X, SOBEL_Y), un padding de zéros de 1 pour garder la taille de l'image, puis √(Gx² + Gy²) (pas |Gx| + |Gy|, pas Gx² + Gy²).",
)
MEDIAN_HINT = Text(
    "Pad by size // 2 with np.pad(image, r, mode='reflect') (row −1 is row 1; not 'edge', not 'symmetric', not zeros), then take the median of every size×size window.",
    "Complétez de size // 2 avec np.pad(image, r, mode='reflect') (la ligne −1 est la ligne 1 ; pas 'edge', pas 'symmetric', pas des zéros), puis prenez la médiane de chaque fenêtre size×size.",
)
POOL_HINT = Text(
    "Pool over axes 1 and 2 (H, W) only, each channel on its own; windows start every stride pixels and OH = (H − size) // stride + 1 (a window that sticks out is dropped).",
    "Réduisez sur les axes 1 et 2 (H, W) seulement, chaque canal séparément ; les fenêtres commencent tous les stride pixels et OH = (H − size) // stride + 1 (une fenêtre qui dépasse est abandonnée).",
)
CONV2D_HINT = Text(
    "Pad axes 1 and 2 only; out[n, i, j, o] = b[o] + Σ_{m, q, c} xpad[n, S·i + m, S·j + q, c] · w[m, q, c, o] (no kernel flip, as lax.conv_general_dilated); the bias is added once per output channel.",
    "Complétez les axes 1 et 2 seulement ; out[n, i, j, o] = b[o] + Σ_{m, q, c} xpad[n, S·i + m, S·j + q, c] · w[m, q, c, o] (pas de retournement du noyau, comme lax.conv_general_dilated) ; le biais s'ajoute une fois par canal de sortie.",
)
BACKWARD_HINT = Text(
    "dw[m, q] = Σ over n, i, j of xpad[n, i+m, j+q, :]ᵀ δ[n, i, j, :] and db = δ summed over axes 0, 1, 2 (batch and positions). dx: the full correlation of δ (padded by K − 1) with the kernel rotated by 180° (w[::-1, ::-1], channel axes swapped), then drop the padding border: dx has the shape of x.",
    "dw[m, q] = Σ sur n, i, j de xpad[n, i+m, j+q, :]ᵀ δ[n, i, j, :] et db = δ sommé sur les axes 0, 1, 2 (lot et positions). dx : la corrélation « pleine » de δ (complété de K − 1) avec le noyau tourné de 180° (w[::-1, ::-1], axes des canaux échangés), puis retirez le bord du padding : dx a la forme de x.",
)

# Autodiff, and the libraries that would do the backward pass for the student.
AUTODIFF = forbidden("flax", "optax", "jaxnn.train", "solutions")
AUTODIFF_WHY = Text(
    "conv2d_backward computes seed 002's two steps by hand, with array operations: no automatic differentiation (jax.grad, jax.vjp, jax.jvp, jacfwd/jacrev, linearize, …) and no library that does it for you",
    "conv2d_backward calcule à la main les deux étapes de la graine 002, avec des opérations sur des tableaux : pas de différentiation automatique (jax.grad, jax.vjp, jax.jvp, jacfwd/jacrev, linearize, …) ni de bibliothèque qui le fasse à votre place",
)

# -- public cases ----------------------------------------------------------------------------

NOT_DIVISIBLE = (
    "sizes not divisible by 2 (round down)",
    "tailles non divisibles par 2 (arrondi inférieur)",
)
pools = cases_of(pool_case, ((2, 6, 6, 3),), ((1, 7, 5, 2), None, None, *NOT_DIVISIBLE))


def sobel_images(rng):
    step = np.zeros((6, 6), np.float32)
    step[:, 3:] = 1.0
    return [
        case("a random 8×10 image", "une image aléatoire 8×10", image(rng, 8, 10)),
        case(
            "a 6×6 image, dark left half, bright right half",
            "une image 6×6, moitié gauche sombre, moitié droite claire",
            step,
        ),
    ]


def median_size3(rng):
    return [
        case(
            "a 7×8 image with salt-and-pepper noise, size 3 (default)",
            "une image 7×8 avec du bruit poivre et sel, size 3 (par défaut)",
            salt_and_pepper(rng, 7, 8),
        ),
        case("a random 6×6 image, size 3", "une image aléatoire 6×6, size 3", image(rng, 6, 6), 3),
    ]


def summed(function, name, cases, **kwargs):
    """A compare check of window sums, within :data:`SUM_TOL`."""
    return compare(function, name, cases, tol=SUM_TOL, **kwargs)


correlate_valid = cases_of(conv_case, (7, 9, 3, 3), (6, 5, 1, 3))
correlate_padding_stride = cases_of(
    conv_case, (8, 8, 2, 2, 1, 2, "even kernel", "noyau pair"), (9, 7, 3, 3, 2, 3), (7, 7, 4, 4, 1)
)
convolve_flipped = cases_of(
    conv_case,
    (6, 7, 3, 3, None, None, "asymmetric kernel", "noyau asymétrique"),
    (8, 6, 2, 3, 1, 2),
)
conv2d_layers = cases_of(
    layer_case, (2, 7, 7, 3, 3, 3, 4), (2, 8, 9, 2, 2, 3, 5, 2, 1), (1, 6, 6, 1, 5, 5, 2, 1, 2)
)
backward_padding0 = cases_of(
    backward_case, (2, 6, 6, 2, 3, 3, 3, 0), (1, 5, 7, 1, 3, 3, 1, 0, "one channel", "un canal")
)
backward_padding1 = cases_of(backward_case, (2, 6, 5, 3, 3, 3, 2, 1))

EXERCISE = Exercise(
    id="ex13_convolution",
    title=Text("Convolution, filters, pooling", "Convolution, filtres, pooling"),
    checks=[
        summed("correlate2d", "valid", correlate_valid, hint=CORRELATE_HINT),
        summed("correlate2d", "padding_and_stride", correlate_padding_stride, hint=CORRELATE_HINT),
        summed("convolve2d", "flipped_kernel", convolve_flipped, hint=CONVOLVE_HINT),
        summed("sobel_edges", "images", sobel_images, hint=SOBEL_HINT),
        compare("median_filter", "reflect_size3", median_size3, hint=MEDIAN_HINT),
        compare("max_pool2d", "nhwc", pools, hint=POOL_HINT),
        compare("avg_pool2d", "nhwc", pools, hint=POOL_HINT),
        summed("conv2d", "layers", conv2d_layers, points=2, hint=CONV2D_HINT),
        summed("conv2d_backward", "padding_0", backward_padding0, hint=BACKWARD_HINT),
        summed("conv2d_backward", "padding_1", backward_padding1, hint=BACKWARD_HINT),
        static("conv2d_backward", "by_hand", forbid=AUTODIFF, why=AUTODIFF_WHY),
    ],
)
