"""The corpus of correct and wrong variants of every catalogue function.

One module per exercise, named like it (``ex04_losses.py``), defining two dicts:

- ``CORRECT = {label: {function name: "def ...", ...}}``: each label is one submission, the
  reference with those functions replaced by correct code written another way (float32 or
  float64 throughout, numpy or jax.numpy, loops or vectorised, int or float counters, another
  summation order, in-place or functional updates). It must get full marks, hidden checks
  included.
- ``WRONG = {label: {function name: "def ...", ...}}``: each label is one submission whose
  replaced functions are each wrong in a plausible way; every replaced function must lose
  points.

An optional ``MARKS = {label: "why"}`` marks a known false result while it is being fixed
(pytest's strict xfail; ``grader selftest`` reports it). A replacement may also define
helpers: the whole text is put in place of the named ``def``.

Instructor side: a student release never ships this folder (correct variants are
solutions). ``grader selftest`` and ``tests/course/test_variants.py`` grade them all.
"""
