# breaks: predict_proba
def predict_proba(model, x):
    # Tracks gradients through the forward pass and detaches afterwards.
    was_training = model.training
    model.eval()
    try:
        return model(x).exp().detach()
    finally:
        model.train(was_training)
