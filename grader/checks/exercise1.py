"""Checks for exercise 1: tensor basics."""

import torch

from grader.check import (
    Exercise,
    Mistake,
    Task,
    check,
    expect,
    expect_close,
    expect_inputs_unchanged,
    expect_shape,
    expect_tensor,
)
from grader.probes.exercise1 import (
    in_place_add,
    numpy_array,
    numpy_sharing,
    op_count,
    view_of_input,
)

EXERCISE = Exercise("exercise1", "Tensor basics", [
    Task("batch_flatten"),
    Task("standardize_columns"),
    Task("outer_sum"),
    Task("shared_from_numpy"),
    Task("add_inplace_"),
])

# A vectorised answer runs a handful of tensor operations whatever the size; a
# Python loop over the columns (or rows) runs at least one per iteration.
LOOP_SIZE = 48
MAX_OPS_WITHOUT_A_LOOP = LOOP_SIZE // 2


def expect_no_loop(student, function: str, args: tuple, true_function, what: str) -> None:
    "An answer of the right shape, computed with a handful of operations rather than one per row."
    report = student.probe(op_count, function, *args, task=function)
    # Its values are the value checks' business: one mistake, one place.
    expect_shape(report["value"], true_function(*args).shape, f"{function}(...) for {what}")
    ops = report["ops"]
    expect(ops < MAX_OPS_WITHOUT_A_LOOP,
           f"your {function} ran {ops} tensor operations for {what}; a broadcast answer needs "
           "only a handful, whatever the size. Replace the Python loop by one expression on "
           "whole tensors and let broadcasting line the shapes up.")


# -- batch_flatten -----------------------------------------------------------

@check("batch_flatten", points=2)
def test_batch_flatten_keeps_the_batch_and_merges_the_rest(student):
    "batch_flatten turns (N, *dims) into (N, prod(dims)), row i holding sample i in order."
    for shape in [(4, 3, 5, 2), (6, 7), (2, 3, 4)]:
        images = torch.randn(*shape)
        features = torch.Size(shape[1:]).numel()
        out = expect_shape(student.batch_flatten(images), (shape[0], features),
                           f"batch_flatten(x) for x of shape {shape}")
        expect_close(out, images.reshape(shape[0], features),
                     f"batch_flatten(x) for x of shape {shape}",
                     hint="Keep the batch dimension first and flatten each sample in its own "
                          "order: images.reshape(images.shape[0], -1).")


@check("batch_flatten", hidden=True)
def test_batch_flatten_takes_a_batch_of_one(student):
    "batch_flatten of a single sample still gives one row."
    for shape in [(1, 3, 4, 4), (1, 5)]:
        images = torch.randn(*shape)
        out = expect_shape(student.batch_flatten(images), (1, torch.Size(shape[1:]).numel()),
                           f"batch_flatten(x) for x of shape {shape}")
        expect_close(out, images.reshape(1, -1), f"batch_flatten(x) for x of shape {shape}",
                     hint="squeeze() also removes the batch dimension of a batch of one; take "
                          "the batch size from images.shape[0].")


@check("batch_flatten", points=2)
def test_batch_flatten_returns_a_view_of_contiguous_input(student):
    "On a contiguous batch, batch_flatten's result shares storage with it: nothing is copied."
    images = torch.randn(3, 2, 4, 4)
    report = student.probe(view_of_input, images, task="batch_flatten")
    expect_close(report["value"], images.reshape(3, 32),
                 "batch_flatten(x) for x of shape (3, 2, 4, 4)")
    shares = report["result_storage"] == report["input_storage"] \
        and report["input_after_write"] == report["marker"]
    expect(shares,
           "batch_flatten copied the data: its result does not share storage with the input "
           "(a write to the result did not show in the input). reshape or view of a contiguous "
           "tensor is free; drop the step that copies (.clone(), torch.stack, torch.cat, ...).")


@check("batch_flatten", hidden=True)
def test_batch_flatten_handles_non_contiguous_input(student):
    "batch_flatten also works on a non-contiguous batch (for example a transposed one)."
    images = torch.randn(3, 5, 4).transpose(1, 2)
    out = student.batch_flatten(images)
    expect_close(out, images.reshape(3, 20),
                 "batch_flatten(x) for a transposed x of shape (3, 4, 5)",
                 hint="view() refuses non-contiguous tensors; reshape() falls back to a copy.")


# -- standardize_columns -----------------------------------------------------

def standardized(x, eps=1e-8):
    return (x - x.mean(dim=0)) / (x.std(dim=0, correction=0) + eps)


def scaled_columns(n, d):
    "Columns with very different means and spreads, so per-column work is visible."
    return torch.randn(n, d) * torch.linspace(0.5, 5.0, d) + torch.linspace(-10, 10, d)


@check("standardize_columns", points=2)
def test_standardize_columns_uses_each_columns_mean_and_population_std(student):
    "Each column becomes (column - its mean) / (its population std + eps)."
    x = scaled_columns(6, 4)
    out = expect_shape(student.standardize_columns(x), (6, 4),
                       "standardize_columns(x) for x (6, 4)")
    unbiased = (x - x.mean(dim=0)) / (x.std(dim=0) + 1e-8)
    if torch.allclose(out, unbiased, atol=1e-5):
        raise Mistake("standardize_columns divided by the sample std (N - 1 in the denominator); "
                      "the task asks for the population std: x.std(dim=0, unbiased=False).")
    expect_close(out, standardized(x), "standardize_columns(x)",
                 hint="Reduce over dim=0 (down each column): mean(dim=0) and "
                      "std(dim=0, unbiased=False) are shaped (D,) and broadcast over the rows.")


@check("standardize_columns")
def test_standardize_columns_centres_every_column(student):
    "After standardize_columns, every column has mean 0."
    # Only the centring: which std divides is the first check's business.
    x = scaled_columns(10, 3)
    out = expect_shape(student.standardize_columns(x), (10, 3),
                       "standardize_columns(x) for x (10, 3)")
    means = out.mean(dim=0)
    expect(torch.allclose(means, torch.zeros(3), atol=1e-4),
           f"the columns of standardize_columns(x) should have mean 0; they have "
           f"{[round(m, 3) for m in means.tolist()]}. "
           "Did you take the mean over rows (dim=1) or over the whole tensor?")


@check("standardize_columns", hidden=True)
def test_standardize_columns_adds_eps_to_the_std(student):
    "eps is added to the standard deviation (not to the variance), and eps can be chosen."
    # Judged against the student's own std, whichever it is: out(eps=0) / out(eps) is
    # (std + eps) / std, so it must grow by the same step for every 0.5 added to eps.
    x = scaled_columns(5, 3) * 0.1
    outs = [expect_shape(student.standardize_columns(x, eps=eps), (5, 3),
                         f"standardize_columns(x, eps={eps})") for eps in (0.0, 0.5, 1.0)]
    growth = [(outs[0] / outs[k] - 1)[0] for k in (1, 2)]  # row 0 is never 0 here
    expect(bool((growth[0] > 1e-3).all()),
           "standardize_columns(x, eps=0.5) is the same as with eps=0: use the eps argument "
           "you are given, and divide by (std + eps).")
    expect(torch.allclose(growth[1], 2 * growth[0], rtol=1e-3),
           "standardize_columns does not add eps to the std: doubling eps should double "
           "(std + eps) / std - 1, and it does not. Divide by (std + eps), not by "
           "sqrt(variance + eps).")


@check("standardize_columns", hidden=True)
def test_standardize_columns_keeps_constant_columns_finite(student):
    "A constant column (and a batch of one) gives zeros, never NaN: eps prevents 0 / 0."
    # Only the constant column is judged: the others' values are the first check's business.
    x = scaled_columns(4, 3)
    x[:, 1] = 7.0
    out = expect_shape(student.standardize_columns(x), (4, 3),
                       "standardize_columns(x) with a constant column")
    expect_close(out[:, 1], torch.zeros(4), "the constant column of standardize_columns(x)",
                 overflow_hint="A constant column has std 0; adding eps to the std avoids 0 / 0.")
    one = torch.randn(1, 4)
    expect_close(student.standardize_columns(one), torch.zeros(1, 4),
                 "standardize_columns(x) for a batch of one row",
                 overflow_hint="One row's population std is 0 (eps then avoids 0 / 0); the "
                               "sample std (N - 1) divides by zero for one row.")


@check("standardize_columns")
def test_standardize_columns_broadcasts_without_a_loop(student):
    "standardize_columns handles all columns at once by broadcasting, with no Python loop."
    expect_no_loop(student, "standardize_columns", (scaled_columns(5, LOOP_SIZE),),
                   standardized, what=f"x with {LOOP_SIZE} columns")


@check("standardize_columns")
def test_standardize_columns_leaves_its_input_unchanged(student):
    "standardize_columns returns a new tensor and leaves the caller's x alone."
    expect_inputs_unchanged(student, "standardize_columns", (scaled_columns(5, 3),), standardized)


# -- outer_sum ---------------------------------------------------------------

@check("outer_sum", points=2)
def test_outer_sum_adds_every_pair(student):
    "outer_sum(a, b)[i, j] is a[i] + b[j], with one row per element of a."
    a, b = torch.randn(3), torch.randn(5)
    out = expect_tensor(student.outer_sum(a, b), "outer_sum(a, b)")
    expect(tuple(out.shape) != (5, 3),
           "outer_sum(a, b) for a (3,) and b (5,) has shape (5, 3): it is transposed. Row i "
           "belongs to a[i]: make a a column, a[:, None] + b.")
    expect_close(out, a[:, None] + b, "outer_sum(a, b) for a (3,) and b (5,)")


@check("outer_sum", hidden=True)
def test_outer_sum_takes_vectors_of_length_one(student):
    "outer_sum works when a or b holds a single element."
    for n, m in [(1, 4), (4, 1), (1, 1)]:
        a, b = torch.randn(n), torch.randn(m)
        expect_close(student.outer_sum(a, b), a[:, None] + b,
                     f"outer_sum(a, b) for a ({n},) and b ({m},)",
                     hint="Keep both dimensions: squeeze() drops the ones of size 1.")


@check("outer_sum")
def test_outer_sum_broadcasts_without_a_loop(student):
    "outer_sum builds the whole table by broadcasting, with no Python loop."
    expect_no_loop(student, "outer_sum", (torch.randn(LOOP_SIZE), torch.randn(LOOP_SIZE + 3)),
                   lambda a, b: a[:, None] + b, what=f"a of length {LOOP_SIZE}")


# -- shared_from_numpy -------------------------------------------------------

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64,
          "int32": torch.int32, "uint8": torch.uint8, "bool": torch.bool}


@check("shared_from_numpy", points=2)
def test_shared_from_numpy_keeps_values_shape_and_dtype(student):
    "shared_from_numpy keeps the array's values, shape and dtype (float64 stays float64)."
    for dtype, shape in [("float64", (2, 3)), ("float32", (4,)), ("int64", (3, 2)),
                         ("uint8", (5,)), ("bool", (2, 2))]:
        report = student.probe(numpy_sharing, dtype, shape, task="shared_from_numpy")
        expected = torch.from_numpy(numpy_array(dtype, shape))
        value = expect_tensor(report["value"], f"shared_from_numpy of a {dtype} array")
        expect(value.dtype == expected.dtype,
               f"shared_from_numpy of a {dtype} array gave a {value.dtype} tensor; it should keep "
               f"the array's dtype ({expected.dtype}). Do not convert with .float() or dtype=.")
        expect_close(value, expected, f"shared_from_numpy of a {dtype} array of shape {shape}")


@check("shared_from_numpy", points=2)
def test_shared_from_numpy_shares_memory_with_the_array(student):
    "A write to the tensor shows in the array, and a write to the array shows in the tensor."
    for dtype, shape in [("float32", (3, 4)), ("float64", (5,)), ("int32", (2, 3))]:
        report = student.probe(numpy_sharing, dtype, shape, task="shared_from_numpy")
        expect_close(report["value"], torch.from_numpy(numpy_array(dtype, shape)),
                     f"shared_from_numpy of a {dtype} array of shape {shape}")
        shares = report["array_first_after_tensor_write"] == 0 \
            and report["tensor_last_after_array_write"] == report["array_last_written"]
        expect(shares,
               f"the tensor shared_from_numpy returned for a {dtype} array does not share memory "
               "with it: a write to one did not show in the other. torch.tensor(array) and "
               ".clone() copy; torch.from_numpy(array) wraps the same memory.")


# -- add_inplace_ ------------------------------------------------------------

@check("add_inplace_", points=2)
def test_add_inplace_adds_y_into_x(student):
    "After add_inplace_(x, y), the caller's x holds x + y (y broadcast) and y is unchanged."
    for x_shape, y_shape in [((3, 4), (4,)), ((3, 4), (3, 1)), ((2, 3), (2, 3)), ((1, 5), ())]:
        x, y = torch.randn(x_shape), torch.randn(y_shape)
        report = student.probe(in_place_add, x.clone(), y, task="add_inplace_")
        expect_close(report["x_after"], x + y,
                     f"the caller's x after add_inplace_(x, y) for x {x_shape} and y {y_shape}",
                     hint="x = x + y only rebinds a local name; the caller's x never changes. "
                          "Use x.add_(y) or x += y.")
        expect(torch.equal(report["y_after"], y), "add_inplace_(x, y) changed y; only x may change.")


@check("add_inplace_", hidden=True)
def test_add_inplace_returns_x_itself(student):
    "add_inplace_ returns the very tensor it was given, still on the same storage."
    x, y = torch.randn(3, 4), torch.randn(4)
    report = student.probe(in_place_add, x.clone(), y, task="add_inplace_")
    expect_close(report["value"], x + y, "the tensor add_inplace_(x, y) returned")
    expect(report["x_storage_after"] == report["storage_before"],
           "add_inplace_ gave x new memory (x.data = ... or x.set_(...)); an in-place add writes "
           "into x's existing storage.")
    expect(report["returned_x"] and report["returned_storage"] == report["storage_before"],
           "add_inplace_ returned a different tensor from x; it should return x itself "
           "(x.add_(y) returns x), not a copy or a new sum.")
