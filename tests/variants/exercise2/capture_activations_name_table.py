# variant: capture_activations
# One hook for all leaves, which looks the module's name up in a table; handles removed in finally.
def capture_activations(model, x):
    names = {module: name for name, module in model.named_modules()
             if len(list(module.children())) == 0}
    activations = {}

    def hook(module, inputs, output):
        activations[names[module]] = output

    handles = [module.register_forward_hook(hook) for module in names]
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return activations
