# variant: save_checkpoint
# The checkpoint built with dict(...) and the path passed through os.fspath.
def save_checkpoint(path, model, optimizer, epoch):
    torch.save(dict(model=model.state_dict(), optimizer=optimizer.state_dict(),
                    epoch=int(epoch)), os.fspath(path))
