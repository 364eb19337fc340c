# breaks: capture_activations
def capture_activations(model, x):
    # Records what goes into each leaf, not what comes out.
    activations = {}
    handles = []
    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            handles.append(module.register_forward_hook(
                lambda m, i, o, name=name: activations.__setitem__(name, i[0])))
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return activations
