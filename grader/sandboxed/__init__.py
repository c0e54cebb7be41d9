"""What runs inside the sandbox: the worker, the codec, process reuse and the drivers.

This package is the trust boundary. It is mounted whole into the sandbox and imports nothing
else from the grader (``tests/grader/test_boundary.py``): the student's code shares a process
with it, so nothing here may hold an expected value, a hidden input or a verdict.
"""
