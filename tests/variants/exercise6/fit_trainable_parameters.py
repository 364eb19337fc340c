# variant: fit
# Adam over the parameters that require grad (all of them here), the history filled epoch by epoch.
def fit(model, train_loader, val_loader, epochs, lr, device):
    model = model.to(device)
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    criterion = nn.CrossEntropyLoss()
    history = {"train_loss": [], "val_acc": []}
    for epoch in range(1, epochs + 1):
        loss = train_one_epoch(model, train_loader, criterion, optimizer, device)
        accuracy = evaluate(model, val_loader, device)
        history["train_loss"].append(float(loss))
        history["val_acc"].append(float(accuracy))
    return history
