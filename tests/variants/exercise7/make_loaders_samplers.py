# variant: make_loaders
# The samplers spelled out: random for training, sequential for validation, batched with drop_last=False.
from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler


def make_loaders(train_ds, val_ds, batch_size):
    train = BatchSampler(RandomSampler(train_ds), batch_size, drop_last=False)
    val = BatchSampler(SequentialSampler(val_ds), batch_size, drop_last=False)
    return DataLoader(train_ds, batch_sampler=train), DataLoader(val_ds, batch_sampler=val)
