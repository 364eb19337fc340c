# breaks: fit
import torch
from torch import nn

_optimizer = None


def fit(model, train_loader, val_loader, epochs, lr, device):
    # One optimizer for all calls: a second model is never trained.
    global _optimizer
    model.to(device)
    if _optimizer is None:
        _optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, _optimizer, device))
        history["val_acc"].append(evaluate(model, val_loader, device))
    return history
