# variant: init_weights_
# nn.init.constant_ for the bias, found with getattr.
def init_weights_(model):
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d)):
            nn.init.normal_(module.weight, std=0.01)
            if getattr(module, "bias", None) is not None:
                nn.init.constant_(module.bias, 0.0)
    return model
