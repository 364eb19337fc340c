# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # total_loss += loss keeps every batch's graph alive; the float comes only at the end.
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
    return total_loss.item() / num_batches
