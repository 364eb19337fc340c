# breaks: train_one_epoch
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    # Never moves a batch: works on the CPU, fails on the first GPU.
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
