# breaks: train_one_epoch
import torch


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # .cuda() instead of .to(device): fails without an NVIDIA GPU.
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        if device != torch.device("cpu"):
            inputs, targets = inputs.cuda(), targets.cuda()
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches
