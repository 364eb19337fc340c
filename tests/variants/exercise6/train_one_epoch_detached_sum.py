# variant: train_one_epoch
# Non-blocking copies, and the losses summed as detached tensors (no graph kept) read once at the end.
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    total, batches = 0.0, 0
    for batches, (inputs, targets) in enumerate(loader, start=1):
        inputs = inputs.to(device, non_blocking=True)
        targets = targets.to(device, non_blocking=True)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total = total + loss.detach()
    return float(total) / batches
