# variant: split_dataset
# A seeded permutation of the indices, the first ones for validation.
def split_dataset(dataset, val_fraction, seed):
    n_val = round(len(dataset) * val_fraction)
    order = torch.randperm(len(dataset), generator=torch.Generator().manual_seed(seed)).tolist()
    return Subset(dataset, order[n_val:]), Subset(dataset, order[:n_val])
