# breaks: save_checkpoint, load_checkpoint
import torch


def save_checkpoint(path, model, optimizer, epoch):
    # Keeps the optimizer's settings (param_groups) but drops its running state.
    state = optimizer.state_dict()
    state["state"] = {}
    torch.save({"model": model.state_dict(), "optimizer": state, "epoch": epoch}, path)
