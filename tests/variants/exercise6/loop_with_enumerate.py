# variant: train_one_epoch, evaluate
# Batches counted with enumerate and len(loader); accuracy from a running mean of counts.
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    losses = []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach().item())
    return sum(losses) / len(losses)


@torch.no_grad()
def evaluate(model, loader, device):
    model.eval()
    correct = seen = 0
    for inputs, targets in loader:
        logits = model(inputs.to(device))
        correct += int((logits.argmax(1) == targets.to(device)).sum())
        seen += len(targets)
    return correct / seen
