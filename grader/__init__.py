"""A sandboxed, pytest-driven autograder for the PyTorch course exercises."""
