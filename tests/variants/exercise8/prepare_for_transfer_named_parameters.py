# variant: prepare_for_transfer
# The flag set by assignment over named_parameters, the width read before the head is replaced.
def prepare_for_transfer(model, num_classes):
    in_features = model.fc.in_features
    for _, parameter in model.named_parameters():
        parameter.requires_grad = False
    model.fc = nn.Linear(in_features=in_features, out_features=num_classes, bias=True)
    return model
