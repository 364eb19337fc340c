# breaks: standardize_columns
import torch


def standardize_columns(x, eps=1e-8):
    # Right values, one column at a time.
    columns = []
    for j in range(x.shape[1]):
        column = x[:, j]
        columns.append((column - column.mean()) / (column.std(unbiased=False) + eps))
    return torch.stack(columns, dim=1)
