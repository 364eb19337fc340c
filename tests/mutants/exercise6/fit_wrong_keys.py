# breaks: fit
import torch
from torch import nn


def fit(model, train_loader, val_loader, epochs, lr, device):
    model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history = {"loss": [], "accuracy": []}
    for _ in range(epochs):
        history["loss"].append(train_one_epoch(model, train_loader, loss_fn, optimizer, device))
        history["accuracy"].append(evaluate(model, val_loader, device))
    return history
