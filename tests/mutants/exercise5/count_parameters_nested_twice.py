# breaks: count_parameters
def count_parameters(model, trainable_only=True):
    # m.parameters() is recursive, so nested layers are counted once per ancestor.
    return sum(p.numel() for m in model.modules() for p in m.parameters()
               if p.requires_grad or not trainable_only)
