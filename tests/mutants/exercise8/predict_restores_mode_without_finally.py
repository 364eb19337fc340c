# breaks: predict_proba
import torch


def predict_proba(model, x):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        probabilities = model(x).exp()
    # Not in a finally: a forward pass that raises leaves the model in evaluation mode.
    model.train(was_training)
    return probabilities
