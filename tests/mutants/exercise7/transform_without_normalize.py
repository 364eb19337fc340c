# breaks: mnist_transform
def mnist_transform():
    # ToTensor alone: values in [0, 1], not [-1, 1].
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor()])
