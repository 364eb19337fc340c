"""Start the fork-server before any test imports a check or a reference solution,
exactly as the `grade` command does."""

from grader import engine

engine.fork_server()
