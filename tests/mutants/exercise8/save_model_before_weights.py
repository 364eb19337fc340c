# breaks: save_checkpoint, load_checkpoint
import torch


def save_checkpoint(path, model, optimizer, epoch):
    # Saves freshly initialised weights of the same shapes, not the trained ones.
    fresh = {k: torch.zeros_like(v) for k, v in model.state_dict().items()}
    torch.save({"model": fresh, "optimizer": optimizer.state_dict(), "epoch": epoch}, path)
