"""Checks for exercise 8: saving, inference and transfer learning."""

import torch

from grader.check import Exercise, Mistake, Task, check, expect, expect_close, expect_shape
from grader.probes.exercise7 import TORCHVISION
from grader.probes.exercise8 import (
    classifier,
    loads_code,
    probabilities,
    probabilities_when_forward_fails,
    restored,
    saved_checkpoint,
    transfer,
)

EXERCISE = Exercise("exercise8", "Saving, inference and transfer learning", [
    Task("save_checkpoint"),
    Task("load_checkpoint"),
    Task("predict_proba"),
    Task("prepare_for_transfer"),
], preload=(TORCHVISION,))

# Building a ResNet and running it takes a moment more than the other tasks' checks.
RESNET_TIMEOUT = 20.0


NAMES = {"adam": "Adam", "sgd_momentum": "SGD with momentum"}  # the probes' optimizers


def first_difference(actual, expected, path="") -> str | None:
    """Where two nested state dicts differ, as a readable path; None when they are equal."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            return f"{path or 'the value'} should be a tensor, but is {type(actual).__name__}"
        if actual.shape != expected.shape or actual.dtype != expected.dtype \
                or not torch.equal(actual, expected):
            return f"{path or 'the value'} holds different numbers"
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{path or 'the value'} should be a dict, but is {type(actual).__name__}"
        missing = [k for k in expected if k not in actual]
        if missing:
            return f"{path or 'the dict'} lacks {missing[:4]}"
        for key in expected:
            found = first_difference(actual[key], expected[key], f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return f"{path or 'the list'} has the wrong length"
        for i, (a, e) in enumerate(zip(actual, expected)):
            found = first_difference(a, e, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if actual == expected else f"{path} is {actual!r}, not {expected!r}"


# -- save_checkpoint -----------------------------------------------------------

def saved(student, optimizer="adam", epoch=7) -> dict:
    report = student.probe(saved_checkpoint, optimizer, epoch, task="save_checkpoint")
    expect(report["written"], "save_checkpoint wrote no file at the path it was given.")
    expect(report["load_error"] is None,
           f"torch.load(path, weights_only=True) refused the file save_checkpoint wrote: "
           f"{report['load_error']}. Save only state dicts and plain values "
           "(model.state_dict(), optimizer.state_dict(), int(epoch)), never the model or "
           "optimizer objects themselves.")
    loaded = report["loaded"]
    expect(isinstance(loaded, dict),
           f"save_checkpoint should save one dict, but the file holds a {type(loaded).__name__}.")
    missing = [k for k in ("model", "optimizer", "epoch") if k not in loaded]
    expect(not missing,
           f"the checkpoint dict has keys {sorted(map(str, loaded))}; it lacks {missing}. Save "
           '{"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}.')
    return report


@check("save_checkpoint", points=2)
def test_save_checkpoint_writes_a_file_that_loads_with_weights_only(student):
    "save_checkpoint writes one dict (model, optimizer, epoch) that loads with weights_only=True."
    saved(student)


@check("save_checkpoint")
def test_save_checkpoint_stores_the_models_weights(student):
    "The checkpoint's 'model' entry is the model's state dict, every tensor as it was."
    report = saved(student)
    problem = first_difference(report["loaded"]["model"], report["model_state"], "model")
    expect(problem is None, f"the saved model state is not the model's state_dict(): {problem}.")


@check("save_checkpoint")
def test_save_checkpoint_stores_the_optimizer_state(student):
    "The checkpoint's 'optimizer' entry holds the optimizer's running state (momentum buffers)."
    for optimizer in ("adam", "sgd_momentum"):
        report = saved(student, optimizer)
        problem = first_difference(report["loaded"]["optimizer"], report["optimizer_state"],
                                   "optimizer")
        expect(problem is None,
               f"the saved optimizer state ({NAMES[optimizer]}) is not the optimizer's "
               f"state_dict(): {problem}. Without its momentum buffers a resumed run takes "
               "different steps.")


@check("save_checkpoint", hidden=True)
def test_save_checkpoint_stores_the_epoch(student):
    "The checkpoint's 'epoch' entry is the epoch it was given, as a Python int."
    report = saved(student, epoch=7)
    epoch = report["loaded"]["epoch"]
    expect(type(epoch) is int and epoch == 7,
           f"save_checkpoint(..., epoch=7) saved epoch {epoch!r} ({type(epoch).__name__}); it "
           "should save the int 7.")


# -- load_checkpoint -----------------------------------------------------------

def expect_restored(report, what):
    for i, (b, a) in enumerate(zip(report["weights_b"], report["weights_a"])):
        expect(torch.equal(b, a),
               f"{what}: after load_checkpoint the model's parameter {i} does not hold the saved "
               "weights. Load into the model you were given, in place: "
               'model.load_state_dict(checkpoint["model"]).')
    problem = first_difference(report["optimizer_state_b"], report["optimizer_state_a"], "state")
    expect(problem is None,
           f"{what}: after load_checkpoint the optimizer's state is not the saved one ({problem}). "
           'Restore it in place too: optimizer.load_state_dict(checkpoint["optimizer"]).')


def expect_same_next_step(report, what):
    for i, (b, a) in enumerate(zip(report["next_b"], report["next_a"])):
        expect_close(b, a, f"{what}: parameter {i} after one more training step",
                     hint="The resumed run should take exactly the step the original run takes; "
                          "a fresh optimizer state (no momentum, no Adam moments) steps "
                          "differently.")


@check("load_checkpoint", points=2)
def test_load_checkpoint_restores_the_model_and_optimizer_in_place(student):
    "load_checkpoint copies the saved weights and optimizer state into the objects it is given."
    report = student.probe(restored, "adam", "grader", task="load_checkpoint")
    expect_restored(report, "with Adam")


@check("load_checkpoint", hidden=True)
def test_load_checkpoint_returns_the_epoch_as_an_int(student):
    "load_checkpoint returns the saved epoch as a Python int."
    report = student.probe(restored, "adam", "grader", task="load_checkpoint")
    epoch = report["epoch"]
    expect(type(epoch) is int and epoch == 3,
           f"load_checkpoint returned {epoch!r} for a checkpoint saved at epoch 3; it should "
           'return the int 3: return int(checkpoint["epoch"]).')
    expect_restored(report, "with Adam")


@check("load_checkpoint", points=2)
def test_load_checkpoint_resumes_training_exactly(student):
    "After loading, the next training step is exactly the step the original run takes."
    for optimizer in ("adam", "sgd_momentum"):
        report = student.probe(restored, optimizer, "grader", task="load_checkpoint")
        expect_restored(report, f"with {NAMES[optimizer]}")
        expect_same_next_step(report, f"with {NAMES[optimizer]}")


@check("load_checkpoint", hidden=True)
def test_load_checkpoint_resumes_exactly_from_your_own_save_checkpoint(student):
    "A checkpoint from your save_checkpoint, loaded by load_checkpoint, resumes exactly."
    for optimizer in ("sgd_momentum", "adam"):
        report = student.probe(restored, optimizer, "student", task="load_checkpoint")
        expect("save_problem" not in report,
               f"the round trip fails at saving: {report.get('save_problem')}. Fix "
               "save_checkpoint first.")
        expect_restored(report, f"a round trip with {NAMES[optimizer]}")
        expect_same_next_step(report, f"a round trip with {NAMES[optimizer]}")


@check("load_checkpoint")
def test_load_checkpoint_refuses_to_run_code_from_the_file(student):
    "load_checkpoint loads safely: a file with pickled code in it does not get to run it."
    normal = student.probe(restored, "adam", "grader", task="load_checkpoint")
    expect_restored(normal, "with Adam")
    report = student.probe(loads_code, task="load_checkpoint")
    expect(not report["ran_code"],
           "load_checkpoint ran code hidden in the checkpoint file: torch.load with "
           "weights_only=False unpickles anything, and a pickle can call any function. Load "
           "with torch.load(path, weights_only=True).")


# -- predict_proba -------------------------------------------------------------

def true_probabilities(x):
    model = classifier().eval()
    with torch.no_grad():
        return model(x).exp()


def predicted(student, x, mode):
    report = student.probe(probabilities, x, mode, task="predict_proba")
    value = expect_shape(report["value"], (x.shape[0], 4),
                         f"predict_proba(model, x) for x of shape {tuple(x.shape)}")
    return report, value, true_probabilities(x)


@check("predict_proba", points=2)
def test_predict_proba_gives_probabilities(student):
    "predict_proba returns exp of the model's log-probabilities: rows are non-negative, sum to 1."
    x = torch.randn(5, 6)
    report, value, expected = predicted(student, x, "eval")
    if torch.allclose(value, expected.log(), atol=1e-5):
        raise Mistake("predict_proba returned the model's log-probabilities; turn them into "
                      "probabilities with .exp().")
    expect_close(value.sum(dim=1), torch.ones(5), "the sums of the rows of predict_proba(model, x)",
                 hint="The model's output is log p over dim 1; exp gives p.")
    expect_close(value, expected, "predict_proba(model, x)")


@check("predict_proba")
def test_predict_proba_runs_the_model_in_evaluation_mode(student):
    "Handed a model in training mode, predict_proba still runs it in evaluation mode."
    x = torch.randn(5, 6)
    report, value, expected = predicted(student, x, "train")
    expect(report["forwards"] and not any(f["training"] for f in report["forwards"]),
           "predict_proba ran the model in training mode: dropout dropped units and batch norm "
           "used the batch's statistics. Call model.eval() before the forward pass.")
    expect_close(value, expected, "predict_proba(model, x) for a model in training mode")


@check("predict_proba")
def test_predict_proba_tracks_no_gradients(student):
    "predict_proba runs the forward pass with gradient tracking off; the result needs no grad."
    x = torch.randn(4, 6)
    report, value, expected = predicted(student, x, "eval")
    expect(report["forwards"] and not any(f["grad_enabled"] for f in report["forwards"]),
           "predict_proba ran the model with gradient tracking on, so autograd recorded a graph "
           "for nothing (.detach() afterwards does not undo that). Run the forward pass inside "
           "with torch.no_grad():.")
    expect(not report["requires_grad"], "predict_proba's result requires grad; it should not.")


@check("predict_proba")
def test_predict_proba_puts_a_training_model_back_in_training_mode(student):
    "A model handed over in training mode is back in training mode afterwards."
    x = torch.randn(4, 6)
    # Only the mode afterwards: the values and the mode during the forward are other checks'.
    report, value, expected = predicted(student, x, "train")
    expect(all(report["modes_after"]),
           "predict_proba left a model that was in training mode in evaluation mode; the "
           "training loop that called it would go on without dropout. Remember "
           "was_training = model.training and finish with model.train(was_training).")


@check("predict_proba", hidden=True)
def test_predict_proba_leaves_an_evaluation_model_in_evaluation_mode(student):
    "A model handed over in evaluation mode stays in evaluation mode."
    x = torch.randn(4, 6)
    report, value, expected = predicted(student, x, "eval")
    expect(not any(report["modes_after"]),
           "predict_proba switched a model that was in evaluation mode to training mode; "
           "restore the mode it had: model.train(was_training), not model.train().")


@check("predict_proba", hidden=True)
def test_predict_proba_restores_the_mode_even_when_the_forward_pass_fails(student):
    "When the model's forward pass raises, predict_proba still puts a training model back in training mode."
    report = student.probe(probabilities_when_forward_fails, torch.randn(4, 6),
                           task="predict_proba")
    expect(report["ran_forward"], "predict_proba never ran the model's forward pass.")
    expect(all(report["modes_after"]),
           "when the model's forward pass raised, predict_proba left a model that was in "
           "training mode in evaluation mode. Put the forward pass in try: and restore the mode "
           "in finally: model.train(was_training).")


@check("predict_proba", hidden=True)
def test_predict_proba_takes_a_batch_of_one(student):
    "predict_proba works for a single input."
    # A model in evaluation mode: a training-mode model is the evaluation-mode check's business
    # (its batch norm cannot take a batch of one), so that mistake costs points there only.
    x = torch.randn(1, 6)
    report, value, expected = predicted(student, x, "eval")
    expect_close(value, expected, "predict_proba(model, x) for one input")


# -- prepare_for_transfer ------------------------------------------------------

HEAD = ["fc.bias", "fc.weight"]


def prepared(student, num_classes, architecture="resnet18"):
    report = student.probe(transfer, num_classes, architecture, task="prepare_for_transfer")
    expect(report["returned_the_model"],
           "prepare_for_transfer should change the model it is given and return that same "
           "object, not a copy or a new model.")
    return report


def expect_new_head(report, num_classes, what):
    expect(report["head_type"] == "Linear",
           f"{what}: model.fc should be a new nn.Linear, but it is a {report['head_type']}.")
    expect(report["head_is_new"],
           f"{what}: model.fc is still the original layer; replace it with a new "
           "nn.Linear(model.fc.in_features, num_classes).")
    features = report["features_before_head"]
    expect(report["head_in_features"] == features,
           f"{what}: the new head takes {report['head_in_features']} inputs, but the network "
           f"gives it {features} features. Use model.fc.in_features rather than a fixed number.")
    expect(report["head_out_features"] == num_classes,
           f"{what}: the new head has {report['head_out_features']} outputs; it should have "
           f"num_classes = {num_classes}.")
    expect(report["output_shape"] == [2, num_classes],
           f"{what}: the model's output for 2 images has shape {report['output_shape']}; it "
           f"should be [2, {num_classes}]. {report['step_error'] or ''}".rstrip())


def expect_only_head_trainable(report, what):
    trainable = report["trainable"]
    others = [n for n in trainable if n not in HEAD]
    expect(not others,
           f"{what}: {len(others)} parameters besides the head still require grad (for example "
           f"{others[0] if others else ''}); freeze every existing parameter with "
           "p.requires_grad_(False).")
    expect(trainable == HEAD,
           f"{what}: the new head is frozen too (trainable: {trainable}); freeze the old "
           "parameters first, then create the new layer, which requires grad by default.")


@check("prepare_for_transfer", points=2, timeout=RESNET_TIMEOUT)
def test_prepare_for_transfer_gives_a_fresh_head_for_the_new_classes(student):
    "On resnet18(weights=None), model.fc becomes a new Linear(512, num_classes); same model back."
    report = prepared(student, 7)
    expect_new_head(report, 7, "resnet18 prepared for 7 classes")


@check("prepare_for_transfer", points=2, timeout=RESNET_TIMEOUT)
def test_prepare_for_transfer_leaves_only_the_head_trainable(student):
    "Every parameter is frozen except the new head's weight and bias."
    report = prepared(student, 7)
    expect_new_head(report, 7, "resnet18 prepared for 7 classes")
    expect_only_head_trainable(report, "resnet18 prepared for 7 classes")


@check("prepare_for_transfer", timeout=RESNET_TIMEOUT, hidden=True)
def test_prepare_for_transfer_training_step_changes_only_the_head(student):
    "One SGD step over all of model.parameters() moves the head and nothing else."
    report = prepared(student, 7)
    expect_new_head(report, 7, "resnet18 prepared for 7 classes")
    changed = sorted(name for name, distance in report["moved"].items() if distance > 0)
    expect(report["step_error"] is None,
           f"a training step on the prepared model failed: {report['step_error']}.")
    moved = [n for n in changed if n not in HEAD]
    expect(not moved,
           f"one training step changed {len(moved)} parameters outside the head (for example "
           f"{moved[0] if moved else ''}): the backbone is not frozen.")
    expect(changed == HEAD,
           f"one training step changed {changed or 'nothing'}; it should change exactly the new "
           "head's weight and bias.")


@check("prepare_for_transfer", timeout=RESNET_TIMEOUT, hidden=True)
def test_prepare_for_transfer_sizes_the_head_from_fc_in_features(student):
    "On a ResNet whose head takes 2048 features, the new head takes 2048 inputs."
    report = prepared(student, 3, "bottleneck_resnet")
    expect_new_head(report, 3, "a Bottleneck ResNet prepared for 3 classes")
    expect_only_head_trainable(report, "a Bottleneck ResNet prepared for 3 classes")
