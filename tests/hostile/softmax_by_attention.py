# hostile: softmax
# flags:
import torch
import torch.nn.functional as F


def softmax(x, dim=-1):
    # Attention with identity keys and values is a softmax of the queries' rows.
    moved = x.movedim(dim, -1)
    rows = moved.reshape(-1, 1, moved.shape[-1])
    eye = torch.eye(moved.shape[-1], dtype=x.dtype).expand(rows.shape[0], -1, -1)
    out = F.scaled_dot_product_attention(rows, eye, eye, scale=1.0)
    return out.reshape(moved.shape).movedim(-1, dim)
