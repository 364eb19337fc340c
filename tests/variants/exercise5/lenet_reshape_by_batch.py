# variant: LeNet
# torch.relu, pooling with its kernel and stride spelled out, and a reshape keeping the batch size.
class LeNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)
        self.conv1 = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=(5, 5))
        self.conv2 = nn.Conv2d(in_channels=6, out_channels=16, kernel_size=(5, 5))

    def forward(self, x):
        x = F.max_pool2d(torch.relu(self.conv1(x)), kernel_size=(2, 2), stride=2)
        x = F.max_pool2d(torch.relu(self.conv2(x)), kernel_size=(2, 2), stride=2)
        x = x.reshape(x.size(0), -1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))
