# hostile: cross_entropy
# An exception class whose name is 40 MB: it went uncapped into every check's feedback.
Huge = type("E" * 40_000_000, (Exception,), {})


def cross_entropy(logits, targets):
    raise Huge("x" * 40_000_000)
