# breaks: save_checkpoint
import torch


def save_checkpoint(path, model, optimizer, epoch):
    # The epoch as a tensor, not the int the format asks for.
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": torch.tensor(epoch)}, path)
