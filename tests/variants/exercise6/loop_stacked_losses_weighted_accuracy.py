# variant: train_one_epoch, evaluate
# The batch losses stacked and averaged as a tensor; accuracy as batch accuracies weighted by batch size.
def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()
    losses = []
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
    return torch.stack(losses).mean().item()


def evaluate(model, loader, device):
    model.eval()
    weighted, seen = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            accuracy = (model(inputs).argmax(dim=1) == targets).float().mean().item()
            weighted += accuracy * len(targets)
            seen += len(targets)
    return weighted / seen
