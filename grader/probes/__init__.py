"""Probes: grader code that runs inside the worker, drives the student's code and
reports what it saw as plain data. Probes know no expected values."""
