# breaks: capture_activations
def capture_activations(model, x):
    # Only the model's direct children: nested leaves are missed.
    activations = {}
    handles = [module.register_forward_hook(
                   lambda m, i, o, name=name: activations.__setitem__(name, o))
               for name, module in model.named_children()]
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return activations
