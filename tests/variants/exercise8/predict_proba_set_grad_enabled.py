# variant: predict_proba
# torch.set_grad_enabled(False) as the switch, and training mode put back only where it was on.
def predict_proba(model, x):
    was_training = model.training
    model.eval()
    try:
        with torch.set_grad_enabled(False):
            probabilities = torch.exp(model(x))
    finally:
        if was_training:
            model.train()
    return probabilities
