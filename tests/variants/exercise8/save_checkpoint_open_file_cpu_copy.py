# variant: save_checkpoint
# Written through an open file, the model's tensors copied to the CPU so the file loads anywhere.
def save_checkpoint(path, model, optimizer, epoch):
    weights = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
    with open(path, "wb") as file:
        torch.save({"model": weights, "optimizer": optimizer.state_dict(), "epoch": int(epoch)},
                   file)
