# variant: mnist_transform
# Normalize given plain numbers: one mean and one std broadcast over the single channel.
def mnist_transform():
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.5, 0.5)])
