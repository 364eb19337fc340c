# variant: split_dataset
# random_split asked for the validation part first, from a generator seeded on its own line.
def split_dataset(dataset, val_fraction, seed):
    generator = torch.Generator()
    generator.manual_seed(seed)
    n_val = round(len(dataset) * val_fraction)
    val, train = random_split(dataset, [n_val, len(dataset) - n_val], generator=generator)
    return train, val
