# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # Returns a tensor holding every batch's graph instead of a float.
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss
        num_batches += 1
    return total_loss / num_batches
