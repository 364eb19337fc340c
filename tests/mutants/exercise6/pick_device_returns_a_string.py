# breaks: pick_device
import torch


def pick_device():
    return "cuda" if torch.cuda.is_available() else "cpu"
