# variant: mnist_transform
# The module imported whole, Normalize given its mean and std as keyword lists.
def mnist_transform():
    import torchvision

    return torchvision.transforms.Compose([
        torchvision.transforms.ToTensor(),
        torchvision.transforms.Normalize(mean=[0.5], std=[0.5]),
    ])
