# breaks: mnist_transform
def mnist_transform():
    # Right values, but squeezes the channel away: (H, W) instead of (1, H, W).
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,)),
                               transforms.Lambda(lambda t: t.squeeze(0))])
