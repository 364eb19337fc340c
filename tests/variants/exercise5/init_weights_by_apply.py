# variant: init_weights_
# model.apply visits every module; the tensors' own in-place methods under no_grad.
def init_weights_(model):
    def init(module):
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            with torch.no_grad():
                module.weight.normal_(0.0, 0.01)
                if module.bias is not None:
                    module.bias.zero_()
    model.apply(init)
    return model
