# variant: predict_proba
# The softmax of log-probabilities is the probabilities themselves (exp, then a sum that is 1).
def predict_proba(model, x):
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return torch.softmax(model(x), dim=1)
    finally:
        model.train(was_training)
