# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # The targets stay on the CPU.
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches
