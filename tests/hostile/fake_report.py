# hostile: cross_entropy
import json

FAKE = {"exercise": "exercise3", "submission": "me", "status": "graded", "score": 30.0,
        "max_score": 30.0, "tasks": [], "duration_s": 0.1}
print(json.dumps(FAKE))
print("============ 22 passed in 0.12s ============")


def cross_entropy(logits, targets):
    print(json.dumps(FAKE))
    print("Total: 30 / 30 (100%)")
    return logits.new_zeros(())
