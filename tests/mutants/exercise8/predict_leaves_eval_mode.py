# breaks: predict_proba
import torch


def predict_proba(model, x):
    # Switches to evaluation mode and never switches back.
    model.eval()
    with torch.no_grad():
        return model(x).exp()
