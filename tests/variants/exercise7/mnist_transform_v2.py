# variant: mnist_transform
# torchvision's transforms.v2, where ToTensor is ToImage then ToDtype(float32, scale=True).
def mnist_transform():
    from torchvision.transforms import v2

    return v2.Compose([
        v2.ToImage(),
        v2.ToDtype(torch.float32, scale=True),
        v2.Normalize((0.5,), (0.5,)),
    ])
