# breaks: capture_activations
def capture_activations(model, x):
    # Hooks containers too: the model itself ("") and every Sequential show up.
    activations = {}
    handles = [module.register_forward_hook(
                   lambda m, i, o, name=name: activations.__setitem__(name, o))
               for name, module in model.named_modules()]
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return activations
