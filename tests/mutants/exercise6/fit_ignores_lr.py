# breaks: fit
import torch
from torch import nn


def fit(model, train_loader, val_loader, epochs, lr, device):
    # Adam's default lr, whatever the caller asked for.
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_acc": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer, device))
        history["val_acc"].append(evaluate(model, val_loader, device))
    return history
