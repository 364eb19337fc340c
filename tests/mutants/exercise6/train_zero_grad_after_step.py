# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # zero_grad after step: gradients left on the parameters leak into the first step.
    model.train()
    total_loss, num_batches = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total_loss += loss.item()
        num_batches += 1
    return total_loss / num_batches
