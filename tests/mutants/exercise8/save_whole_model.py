# breaks: save_checkpoint, load_checkpoint
import torch


def save_checkpoint(path, model, optimizer, epoch):
    # Pickles the model object itself: torch.load(..., weights_only=True) refuses it.
    torch.save({"model": model, "optimizer": optimizer.state_dict(), "epoch": epoch}, path)
