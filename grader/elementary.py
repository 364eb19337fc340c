"""The aten ops a from-scratch task may be built of: arithmetic, elementwise maths,
reductions, comparisons, indexing, shapes and copies.

A deny list names the shortcuts someone thought of; torch has others
(``aten._safe_softmax``, ``aten._masked_softmax``, scaled dot-product
attention with identity matrices all compute a softmax). A task that says
"build it from exp and sum" is therefore judged by an allow list as well: any
op outside this set is a shortcut, whatever it is called. Ops are recorded by
their overload packet (``aten.add`` covers ``add.Tensor`` and ``add.Scalar``);
in-place variants are listed beside their functional ones.
"""

_ARITHMETIC = {"add", "sub", "rsub", "mul", "div", "neg", "reciprocal", "pow", "sqrt", "rsqrt",
               "square", "abs", "sign", "sgn", "true_divide", "floor_divide", "remainder", "fmod",
               "addcmul", "addcdiv", "lerp"}
_ELEMENTWISE = {"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "tanh", "clamp",
                "clamp_min", "clamp_max", "clip", "maximum", "minimum", "fmax", "fmin", "where",
                "nan_to_num", "floor", "ceil", "round", "trunc", "frac", "logaddexp", "xlogy",
                "erf", "relu", "threshold"}
_REDUCTIONS = {"sum", "mean", "amax", "amin", "max", "min", "prod", "logsumexp", "cumsum",
               "argmax", "argmin", "all", "any", "count_nonzero", "nansum", "aminmax"}
_COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isfinite", "isposinf",
                "isneginf", "logical_and", "logical_or", "logical_not", "logical_xor",
                "bitwise_not", "bitwise_and", "bitwise_or", "masked_fill", "masked_select"}
_INDEXING = {"index", "index_select", "gather", "select", "slice", "take", "take_along_dim",
             "index_put", "scatter", "scatter_add", "nonzero", "one_hot", "diagonal",
             "masked_scatter", "narrow"}
_SHAPES = {"view", "_unsafe_view", "reshape", "expand", "expand_as", "unsqueeze", "squeeze",
           "t", "transpose", "permute", "flatten", "unflatten", "contiguous", "alias", "stack",
           "cat", "split", "chunk", "unbind", "broadcast_tensors", "movedim", "repeat",
           "view_as", "as_strided", "unfold"}
_MATRICES = {"mm", "bmm", "matmul", "mv", "dot", "addmm", "einsum", "outer"}
_FACTORIES = {"empty", "empty_like", "empty_strided", "zeros", "zeros_like", "ones", "ones_like",
              "full", "full_like", "arange", "scalar_tensor", "tensor", "new_zeros", "new_ones",
              "new_full", "new_empty", "new_empty_strided", "lift_fresh", "lift_fresh_copy",
              "eye", "fill", "zero"}
_COPIES = {"clone", "detach", "copy", "_to_copy", "to", "type_as", "_local_scalar_dense",
           "resize", "set_", "_has_compatible_shallow_copy_type", "_conj", "resolve_conj",
           "resolve_neg"}

_NAMES = (_ARITHMETIC | _ELEMENTWISE | _REDUCTIONS | _COMPARISONS | _INDEXING | _SHAPES
          | _MATRICES | _FACTORIES | _COPIES)
ELEMENTARY_OPS = frozenset({f"aten.{n}" for n in _NAMES} | {f"aten.{n}_" for n in _NAMES})
