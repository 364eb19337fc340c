# variant: init_weights_
# The older .data style, which autograd does not see; the layers picked by their exact type.
def init_weights_(model):
    for module in model.modules():
        if type(module) in (nn.Linear, nn.Conv2d):
            module.weight.data.normal_(0.0, 0.01)
            if module.bias is not None:
                module.bias.data.fill_(0)
    return model
