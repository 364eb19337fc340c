# breaks: evaluate
import torch


def evaluate(model, loader, device):
    # .to("cuda") instead of .to(device).
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            if device.type != "cpu":
                inputs, targets = inputs.to("cuda"), targets.to("cuda")
            correct += (model(inputs).argmax(dim=1) == targets).sum().item()
            total += targets.numel()
    return correct / total
