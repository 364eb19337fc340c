# breaks: mnist_transform
def mnist_transform():
    # PILToTensor keeps uint8 pixels 0..255: no scaling, no float.
    from torchvision import transforms

    return transforms.Compose([transforms.PILToTensor()])
