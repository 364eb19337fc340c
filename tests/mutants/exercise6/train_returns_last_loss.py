# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # Returns the last batch's loss, not the mean over the epoch.
    model.train()
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return loss.item()
