# variant: fit
# The history kept in two lists and put together at the end; the loss function built first.
def fit(model, train_loader, val_loader, epochs, lr, device):
    loss_fn = nn.CrossEntropyLoss()
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses, accuracies = [], []
    for _ in range(epochs):
        losses.append(train_one_epoch(model, train_loader, loss_fn, optimizer, device))
        accuracies.append(evaluate(model, val_loader, device))
    return {"train_loss": losses, "val_acc": accuracies}
