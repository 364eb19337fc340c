# variant: capture_activations
# Hooks as lambdas binding their name; an ExitStack removes every handle on the way out.
import contextlib


def capture_activations(model, x):
    activations = {}
    with contextlib.ExitStack() as stack:
        for name, module in model.named_modules():
            if not any(True for _ in module.children()):
                handle = module.register_forward_hook(
                    lambda m, i, out, name=name: activations.__setitem__(name, out))
                stack.callback(handle.remove)
        model(x)
    return activations
