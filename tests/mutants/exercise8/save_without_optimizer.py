# breaks: save_checkpoint, load_checkpoint
import torch


def save_checkpoint(path, model, optimizer, epoch):
    # No optimizer state: a resumed run restarts its momentum from zero.
    torch.save({"model": model.state_dict(), "epoch": epoch}, path)
