# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # Divides by the size of the last batch instead of the number of batches.
    model.train()
    total_loss = 0.0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
    return total_loss / len(targets)
