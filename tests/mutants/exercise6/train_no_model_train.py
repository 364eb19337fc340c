# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # No model.train(): after evaluate, the model stays in evaluation mode.
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches
