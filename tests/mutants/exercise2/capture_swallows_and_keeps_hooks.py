# breaks: capture_activations
def capture_activations(model, x):
    # Catches the model's exception and returns early, before removing the hooks.
    activations = {}
    handles = []
    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            handles.append(module.register_forward_hook(
                lambda m, i, o, name=name: activations.__setitem__(name, o)))
    try:
        model(x)
    except Exception:
        return activations
    for handle in handles:
        handle.remove()
    return activations
