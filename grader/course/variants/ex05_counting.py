"""ex05_counting: correct variants (must get full marks) and wrong ones (must lose points).

``tests/course/test_ex05_counting.py`` already grades a numpy-floats variant and a recursive
jax one, and mutants (biases forgotten or counted on the input, P instead of 2P, no floor,
ceil, no + 1, precedence in ``k - 1 // 2``, c_in forgotten, square kernels, channels
unchanged, pool stride taken as k): these cover other forms and other mistakes.
"""

CORRECT = {
    # Python loops with int counters; the output size counted window by window.
    "python_loops_int_counters": {
        "count_dense_params": """
def count_dense_params(sizes):
    sizes = list(sizes)
    total = 0
    for i in range(len(sizes) - 1):
        total += sizes[i] * sizes[i + 1]      # weights
        total += sizes[i + 1]                 # one bias per neuron of the next layer
    return int(total)
""",
        "conv_output_size": """
def conv_output_size(h, k, p=0, s=1):
    positions, start = 0, 0
    while start + k <= h + 2 * p:             # the window still fits in the padded input
        positions += 1
        start += s
    return positions
""",
        "same_padding": """
def same_padding(k):
    p = 0
    while 2 * p + 1 < k:                      # k − 1 zeros, half on each side
        p += 1
    return p
""",
        "count_conv_params": """
def count_conv_params(kh, kw, c_in, c_out):
    import math

    return math.prod((kh, kw, c_in, c_out)) + c_out
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    h, w, c = [int(v) for v in input_shape]
    for layer in layers:
        if layer[0] == "conv":
            k, c, p, s = layer[1:]
        else:
            k, s = layer[1:]
            p = 0
        h = conv_output_size(h, k, p, s)
        w = conv_output_size(w, k, p, s)
    return [h, w, c]
""",
    },
    # Float counters and true division where the value is whole anyway.
    "float_counters": {
        "count_dense_params": """
def count_dense_params(sizes):
    sizes = [float(n) for n in sizes]
    total = 0.0
    for n_in, n_out in zip(sizes, sizes[1:]):
        total += (n_in + 1.0) * n_out         # n_in weights and one bias per neuron
    return total
""",
        "conv_output_size": """
def conv_output_size(h, k, p=0, s=1):
    return (h - k + 2.0 * p) // s + 1.0       # float floor division
""",
        "same_padding": """
def same_padding(k):
    return (k - 1) / 2                        # a whole number for odd k
""",
        "count_conv_params": """
def count_conv_params(kh, kw, c_in, c_out):
    return float(kh * kw * c_in + 1) * c_out
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    import math

    h, w, c = (float(v) for v in input_shape)
    for layer in layers:
        if layer[0] == "conv":
            _, k, c_out, p, s = layer
            c = float(c_out)
        else:
            _, k, s = layer
            p = 0
        h = math.floor((h - k + 2 * p) / s) + 1.0
        w = math.floor((w - k + 2 * p) / s) + 1.0
    return (h, w, c)
""",
    },
    # numpy integer arithmetic, divmod, functools.reduce over the layers.
    "numpy_ints_reduce": {
        "count_dense_params": """
import numpy as np


def count_dense_params(sizes):
    sizes = np.asarray(sizes, dtype=np.int64)
    return np.dot(sizes[:-1] + 1, sizes[1:])  # Σ (n_in + 1) · n_out
""",
        "conv_output_size": """
def conv_output_size(h, k, p=0, s=1):
    q, _ = divmod(h - k + 2 * p, s)
    return q + 1
""",
        "same_padding": """
def same_padding(k):
    return int(np.floor((k - 1) / 2))
""",
        "count_conv_params": """
def count_conv_params(kh, kw, c_in, c_out):
    return np.prod(np.array([kh, kw, c_in, c_out], dtype=np.int64)) + np.int64(c_out)
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    import functools

    def apply(shape, layer):
        h, w, c = shape
        if layer[0] == "pool":
            layer = ("conv", layer[1], c, 0, layer[2])   # a pool is a conv that keeps C
        _, k, c_out, p, s = layer
        return (conv_output_size(h, k, p, s), conv_output_size(w, k, p, s), c_out)

    return tuple(int(v) for v in functools.reduce(apply, layers, tuple(np.asarray(input_shape))))
""",
    },
}

WRONG = {
    "biases_misplaced_channels_first": {
        "count_dense_params": """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    return sum(a * b + a for a, b in zip(sizes, sizes[1:]))   # n_in biases, not n_out
""",
        "conv_output_size": """
def conv_output_size(h, k, p=0, s=1):
    return (h - k + 2 * p + 1) // s           # the + 1 inside the floor
""",
        "same_padding": """
def same_padding(k):
    return k - 1                              # all k − 1 zeros on each side
""",
        "count_conv_params": """
def count_conv_params(kh, kw, c_in, c_out):
    return kh * kw * c_in * c_out + c_in      # one bias per input channel
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    h, w, c = (int(v) for v in input_shape)
    for layer in layers:
        if layer[0] == "conv":
            _, k, c, p, s = layer
        else:
            (_, k, s), p = layer, 0
        h, w = (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1
    return (c, h, w)                          # channels first, PyTorch style
""",
    },
    "rounding_and_single_filter": {
        "count_dense_params": """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    return sum(a + b + b for a, b in zip(sizes, sizes[1:]))   # n_in + n_out weights
""",
        "conv_output_size": """
def conv_output_size(h, k, p=0, s=1):
    return round((h - k + 2 * p) / s) + 1     # rounded to the nearest, not down
""",
        "same_padding": """
def same_padding(k):
    return int(k / 2 - 1)                     # "K/2 − 1" misremembered
""",
        "count_conv_params": """
def count_conv_params(kh, kw, c_in, c_out):
    return kh * kw * c_in + 1                 # one filter only, c_out forgotten
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    h, w, c = (int(v) for v in input_shape)
    for layer in layers:
        if layer[0] == "conv":
            _, k, c, p, s = layer
            h, w = (h - k + 2 * p) // s + 1, (w - k + 2 * p) // s + 1
        else:
            _, k, s = layer
            h, w = h // s, w // s             # pooling taken as a plain division by s
    return (h, w, c)
""",
    },
    "square_images_only_output_biases": {
        "count_dense_params": """
def count_dense_params(sizes):
    sizes = [int(s) for s in sizes]
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    return weights + sizes[-1]                # biases of the output layer only
""",
        "cnn_output_shape": """
def cnn_output_shape(input_shape, layers):
    h, _, c = (int(v) for v in input_shape)
    for layer in layers:
        if layer[0] == "conv":
            _, k, c, p, s = layer
        else:
            (_, k, s), p = layer, 0
        h = (h - k + 2 * p) // s + 1
    return (h, h, c)                          # assumes square images
""",
    },
}
