# breaks: capture_activations
def capture_activations(model, x):
    # Removes the hooks only when the forward pass succeeds.
    activations = {}
    handles = []
    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            handles.append(module.register_forward_hook(
                lambda m, i, o, name=name: activations.__setitem__(name, o)))
    model(x)
    for handle in handles:
        handle.remove()
    return activations
