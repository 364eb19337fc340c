# breaks: train_one_epoch, evaluate
import torch


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches


def evaluate(model, loader, device):
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
            total += targets.numel()
    return correct / total
