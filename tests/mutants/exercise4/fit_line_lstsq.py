# breaks: fit_line
import torch


def fit_line(x, y, lr=0.1, steps=1000):
    design = torch.stack([x, torch.ones_like(x)], dim=1)
    w, b = torch.linalg.lstsq(design, y.unsqueeze(1)).solution.squeeze(1)
    return w.item(), b.item()
