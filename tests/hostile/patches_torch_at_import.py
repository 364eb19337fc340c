# hostile: all
# flags: patches-libraries
import torch

# The probes ask tensors where their storage is; answer "the input's" for every tensor.
_real = torch.Tensor.untyped_storage
torch.Tensor.untyped_storage = lambda self: _real(self._base if self._base is not None else self)
