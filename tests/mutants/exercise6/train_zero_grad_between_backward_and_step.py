# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # zero_grad in the wrong place: step() never sees a gradient.
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches
