# breaks: mnist_transform
def mnist_transform():
    # MNIST's own mean and std: standardised, but not the [-1, 1] the task asks for.
    from torchvision import transforms

    return transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
