"""Checks for exercise 7: data pipelines."""

import torch

from grader.check import Exercise, Mistake, Task, check, expect, expect_close, expect_shape
from grader.probes.exercise7 import (
    TORCHVISION,
    loader_batches,
    mismatched_pair_dataset,
    pair_dataset,
    splits,
    transformed_image,
)

EXERCISE = Exercise("exercise7", "Data pipelines", [
    Task("split_dataset"),
    Task("TensorPairDataset"),
    Task("make_loaders"),
    Task("mnist_transform"),
], preload=(TORCHVISION,))


# -- split_dataset -----------------------------------------------------------

def split_with(student, size, val_fraction, seeds):
    report = student.probe(splits, size, val_fraction, list(seeds), task="split_dataset")
    expect(report["returned"] == "pair",
           f"split_dataset should return a pair (train, val), but returned {report['returned']}.")
    return report


def expect_partition(split, size, val_fraction, what):
    train, val = split["train"], split["val"]
    n_val = round(size * val_fraction)
    expect(len(val) == n_val,
           f"{what}: the validation part has {len(val)} samples; it should have "
           f"round({size} * {val_fraction}) = {n_val}. Use Python's round, not int() or ceil.")
    expect(len(train) == size - n_val,
           f"{what}: the training part has {len(train)} samples; it should have the other "
           f"{size - n_val}.")
    seen = sorted(train + val)
    twice = sorted({i for i in seen if seen.count(i) > 1})
    expect(not twice, f"{what}: samples {twice[:5]} are in the split twice; every sample must "
                      "land in exactly one of train and val.")
    expect(seen == list(range(size)),
           f"{what}: train and val together should hold every sample of the dataset once, but "
           f"samples {sorted(set(range(size)) - set(seen))[:5]} are missing.")


@check("split_dataset", points=2)
def test_split_dataset_covers_every_sample_exactly_once(student):
    "split_dataset puts every sample in exactly one of train and val."
    report = split_with(student, 50, 0.2, [0])
    expect_partition(report["splits"][0], 50, 0.2, "split_dataset(50 samples, 0.2, seed=0)")


@check("split_dataset", hidden=True)
def test_split_dataset_gives_val_round_of_len_times_fraction(student):
    "The validation part has round(len(dataset) * val_fraction) samples, even for one sample."
    for size, fraction in [(10, 0.37), (9, 0.3), (1001, 0.1), (20, 0.26), (1, 0.3)]:
        report = split_with(student, size, fraction, [3])
        expect_partition(report["splits"][0], size, fraction,
                         f"split_dataset({size} samples, {fraction}, seed=3)")


@check("split_dataset")
def test_split_dataset_is_reproducible_for_a_seed(student):
    "The same seed gives the same split every time."
    report = split_with(student, 40, 0.25, [7, 7])
    first, second = report["splits"]
    expect_partition(first, 40, 0.25, "split_dataset(40 samples, 0.25, seed=7)")
    expect(first == second,
           "split_dataset gave two different splits for the same seed 7. Draw the permutation "
           "from a generator you seed yourself: torch.Generator().manual_seed(seed).")


@check("split_dataset")
def test_split_dataset_differs_between_seeds(student):
    "Different seeds give different splits."
    report = split_with(student, 50, 0.2, [0, 1, 2])
    for seed, split in enumerate(report["splits"]):
        expect_partition(split, 50, 0.2, f"split_dataset(50 samples, 0.2, seed={seed})")
    vals = [sorted(split["val"]) for split in report["splits"]]
    expect(vals[0] != vals[1] and vals[1] != vals[2] and vals[0] != vals[2],
           "split_dataset gave the same validation samples for different seeds; the seed must "
           "choose the random permutation (and the split must be random, not the first or "
           "last samples).")


@check("split_dataset", hidden=True)
def test_split_dataset_leaves_the_global_random_state_alone(student):
    "split_dataset uses its own seeded generator and leaves torch's global random state alone."
    report = split_with(student, 30, 0.3, [5])
    expect_partition(report["splits"][0], 30, 0.3, "split_dataset(30 samples, 0.3, seed=5)")
    expect(torch.equal(report["rng_before"], report["rng_after"]),
           "split_dataset changed torch's global random state (torch.manual_seed, or drawing "
           "from the global generator): that reseeds or shifts everything else random in the "
           "program, such as shuffling and dropout. Pass "
           "generator=torch.Generator().manual_seed(seed) instead.")


# -- TensorPairDataset -------------------------------------------------------

def pair_data(n=5):
    return torch.rand(n, 3) + 0.5, torch.arange(10, 10 + n)


def expect_pairs(items, inputs, targets, transform, what):
    expect(len(items) == len(inputs), f"{what}: expected {len(inputs)} items.")
    for i, item in enumerate(items):
        expect(len(item) == 2, f"{what}: item {i} should be a pair (input, target), but has "
                               f"{len(item)} parts.")
        expect_close(item[0], transform(inputs[i]), f"the input of item {i} of {what}")
        target = item[1]
        if type(target) in (int, float):  # target.item() is as good as the 0-d tensor
            target = torch.tensor(target, dtype=targets.dtype)
        expect_close(target, targets[i], f"the target of item {i} of {what}",
                     hint="The target goes out untouched: the transform applies to inputs only.")


@check("TensorPairDataset", points=2)
def test_tensor_pair_dataset_gives_length_and_pairs(student):
    "len(ds) is the number of pairs, and ds[i] is (inputs[i], targets[i]) without a transform."
    inputs, targets = pair_data(5)
    report = student.probe(pair_dataset, inputs, targets, task="TensorPairDataset")
    expect(report["length"] == 5, f"len(TensorPairDataset(...)) of 5 pairs is {report['length']}.")
    expect_pairs(report["reads"][0], inputs, targets, lambda t: t,
                 "TensorPairDataset(inputs, targets)")


@check("TensorPairDataset")
def test_tensor_pair_dataset_applies_the_transform_to_inputs(student):
    "With a transform, ds[i] is (transform(inputs[i]), targets[i])."
    inputs, targets = pair_data(4)
    report = student.probe(pair_dataset, inputs, targets, "scale_to_unit_sum",
                           task="TensorPairDataset")
    expect_pairs(report["reads"][0], inputs, targets, lambda t: t / t.sum(),
                 "TensorPairDataset(inputs, targets, transform=t / t.sum())")


@check("TensorPairDataset")
def test_tensor_pair_dataset_transforms_each_time_an_item_is_read(student):
    "The transform runs in __getitem__, so a random transform gives a new input on every read."
    inputs, targets = pair_data(3)
    report = student.probe(pair_dataset, inputs, targets, "add_noise", 2,
                           task="TensorPairDataset")
    first, second = report["reads"]
    for i, item in enumerate(first):
        noise = expect_shape(item[0], (3,), f"the input of item {i}") - inputs[i]
        expect(bool(((noise >= 0) & (noise < 1)).all()),
               f"item {i} is not transform(inputs[{i}]) for a transform adding noise in [0, 1).")
    same = all(torch.equal(a[0], b[0]) for a, b in zip(first, second))
    expect(not same,
           "reading the same item twice gave the same input although the transform is random: "
           "the transform ran once, ahead of time. Apply it in __getitem__, so random "
           "augmentations differ every epoch.")


@check("TensorPairDataset", hidden=True)
def test_tensor_pair_dataset_rejects_mismatched_lengths(student):
    "TensorPairDataset raises ValueError when inputs and targets have different lengths."
    inputs, targets = pair_data(3)
    ok = student.probe(pair_dataset, inputs, targets, task="TensorPairDataset")
    expect_pairs(ok["reads"][0], inputs, targets, lambda t: t, "TensorPairDataset(inputs, targets)")
    report = student.probe(mismatched_pair_dataset, torch.rand(5, 3), torch.arange(4),
                           task="TensorPairDataset")
    expect(report["raised"] is not None,
           "TensorPairDataset accepted 5 inputs with 4 targets; it should raise ValueError in "
           "__init__ (if len(inputs) != len(targets): raise ValueError(...)).")
    expect(report["is_value_error"],
           f"TensorPairDataset raised {report['raised']} for 5 inputs and 4 targets; it should "
           "raise ValueError (an assert is switched off by python -O and says less).")


# -- make_loaders ------------------------------------------------------------

TRAIN, VAL, BATCH = 23, 11, 5  # the batch size divides neither length


def loaders(student):
    report = student.probe(loader_batches, TRAIN, VAL, BATCH, task="make_loaders")
    expect(report["returned"] == "pair", "make_loaders should return a pair (train_loader, "
                                         f"val_loader), but returned {report['returned']}.")
    return report


def expect_every_sample(epochs, samples, which):
    for epoch, batches in enumerate(epochs):
        seen = sorted(i for batch in batches for i in batch)
        if seen == samples:
            continue
        if seen and (seen[0] >= 1000) != (samples[0] >= 1000):  # validation ids start at 1000
            raise Mistake(f"the {which} loader does not read the {which} dataset; return "
                          "(train_loader, val_loader) in that order.")
        hint = (f" With {len(samples)} samples and batches of {BATCH}, drop_last=True throws "
                "the last, smaller batch away." if len(seen) < len(samples) else "")
        raise Mistake(f"the {which} loader gave {len(seen)} samples in epoch {epoch + 1}; the "
                      f"{which} dataset has {len(samples)} and every one must come out once "
                      f"per epoch.{hint}")


@check("make_loaders", points=2)
def test_make_loaders_drop_no_sample(student):
    "Both loaders give every sample once per epoch, the last smaller batch included."
    report = loaders(student)
    expect_every_sample(report["train"], list(range(TRAIN)), "training")
    expect_every_sample(report["val"], list(range(1000, 1000 + VAL)), "validation")


@check("make_loaders")
def test_make_loaders_use_the_batch_size(student):
    "Batches hold batch_size samples, except a smaller last one."
    report = loaders(student)
    expect_every_sample(report["train"], list(range(TRAIN)), "training")
    for which, size in (("train", TRAIN), ("val", VAL)):
        sizes = [len(batch) for batch in report[which][0]]
        right = [BATCH] * (size // BATCH) + ([size % BATCH] if size % BATCH else [])
        expect(sizes == right,
               f"with batch_size={BATCH}, the {which} loader over {size} samples should give "
               f"batches of {right}, but gave {sizes}.")


@check("make_loaders", hidden=True)
def test_make_loaders_keep_validation_in_order(student):
    "The validation loader gives the samples in the dataset's order, every epoch."
    report = loaders(student)
    in_order = list(range(1000, 1000 + VAL))
    for epoch, batches in enumerate(report["val"]):
        order = [i for batch in batches for i in batch]
        expect_every_sample([batches], in_order, "validation")
        expect(order == in_order,
               f"the validation loader shuffled the samples (epoch {epoch + 1}); validation "
               "batches should come in order: shuffle=False.")


@check("make_loaders")
def test_make_loaders_shuffle_training_batches(student):
    "The training loader shuffles: a new order of the samples every epoch."
    report = loaders(student)
    expect_every_sample(report["train"], list(range(TRAIN)), "training")
    orders = [[i for batch in batches for i in batch] for batches in report["train"]]
    expect(orders[0] != list(range(TRAIN)) and orders[0] != orders[1],
           "the training loader gives the samples in the same order every epoch; "
           "shuffle=True draws a new order each epoch, so the model cannot learn the order.")


# -- mnist_transform ---------------------------------------------------------

def image_pixels(height, width):
    "A grayscale image holding pure black and pure white among other shades."
    pixels = torch.randint(0, 256, (height, width), dtype=torch.uint8)
    pixels[0, 0], pixels[-1, -1] = 0, 255
    return pixels


def true_transform(pixels):
    return pixels.float().div(255).sub(0.5).div(0.5).unsqueeze(0)


@check("mnist_transform", points=2)
def test_mnist_transform_maps_pixels_to_minus_one_to_one(student):
    "mnist_transform maps pixel 0 to -1 and 255 to 1: ToTensor, then Normalize((0.5,), (0.5,))."
    pixels = image_pixels(28, 28)
    report = student.probe(transformed_image, pixels, task="mnist_transform")
    value = expect_shape(report["value"], (1, 28, 28),
                         "mnist_transform()(image) for a 28x28 grayscale image")
    expected = true_transform(pixels)
    if value.is_floating_point() and torch.allclose(value, pixels.float().div(255).unsqueeze(0)):
        raise Mistake("mnist_transform gives values in [0, 1]: ToTensor alone. Add "
                      "transforms.Normalize((0.5,), (0.5,)) after it to map them to [-1, 1].")
    expect_close(value, expected, "mnist_transform()(image)",
                 hint=f"Black should be -1 and white 1; yours gives {value.min().item():.4g} "
                      f"to {value.max().item():.4g}. Normalize((0.5,), (0.5,)) computes "
                      "(t - 0.5) / 0.5 (not the data set's own mean and std).")


@check("mnist_transform", hidden=True)
def test_mnist_transform_gives_a_1_h_w_float_tensor(student):
    "For a W x H image, mnist_transform gives a float32 tensor of shape (1, H, W)."
    pixels = image_pixels(12, 20)
    report = student.probe(transformed_image, pixels, task="mnist_transform")
    value = expect_shape(report["value"], (1, 12, 20),
                         "mnist_transform()(image) for a grayscale image 20 wide and 12 high")
    expect(value.dtype == torch.float32,
           f"mnist_transform gives a {value.dtype} tensor; it should be float32 "
           "(ToTensor converts and scales, PILToTensor does not).")
    expect_close(value, true_transform(pixels), "mnist_transform()(image)")
