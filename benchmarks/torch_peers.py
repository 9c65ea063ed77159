"""PyTorch eager, xpnet's second peer, on the same device as xpnet: two ways to write it.

- **TorchManual**: the book's forward and backward in torch ops under ``torch.no_grad()``
  (addmm, relu, log_softmax, ``masked_fill_``, in-place ``sub_``), no autograd;
- **TorchAutograd**: ``nn.Linear`` layers, ``F.cross_entropy``, ``torch.optim.SGD``: what a
  PyTorch user writes.

Both have the contestants' three methods (textbook.py says which) and take the loss from the
gradient's own forward, keep the data on the device and draw batches with ``torch.randint``.
"""

from __future__ import annotations

from .textbook import BATCH_SIZE, LEARNING_RATE, SIZES


class _TorchPeer:
    """What both PyTorch peers share: data moved to the device once per run, batch indices
    drawn on the device (torch.randint), losses kept there, the book's evaluation rule."""

    batch_size = BATCH_SIZE  # the book's; suite gpu's size sweep sets others

    def __init__(self, data, device="cpu", dtype="float32"):
        import torch

        self.torch = torch
        self.data, self.dtype = data, dtype
        self.device = str(device)
        self.torch_device = torch.device(device)
        self.torch_dtype = getattr(torch, dtype)

    def fresh(self, init, seed):
        torch, device = self.torch, self.torch_device
        (x_train, t_train), (x_test, t_test) = self.data

        def move(a, dtype=None):
            return torch.as_tensor(a, device=device, dtype=dtype)

        self.x_train, self.x_test = move(x_train, self.torch_dtype), move(x_test, self.torch_dtype)
        self.t_train, self.t_test = move(t_train, torch.int64), move(t_test, torch.int64)
        self.generator = torch.Generator(device=device)
        self.generator.manual_seed(seed)
        self.iters_per_epoch = max(self.x_train.shape[0] // self.batch_size, 1)
        self.losses = torch.zeros(self.iters_per_epoch, dtype=self.torch_dtype, device=device)
        self.iteration = 0
        self.evaluation = {}
        self._build(init)

    def train(self, iters_num, *, evaluate=True):
        torch = self.torch
        train_size = self.x_train.shape[0]
        for i in range(self.iteration, self.iteration + iters_num):
            batch = torch.randint(
                train_size, (self.batch_size,), device=self.torch_device, generator=self.generator
            )
            self.losses[i % self.iters_per_epoch] = self._sgd_step(batch)
            if evaluate and i % self.iters_per_epoch == 0:
                self.evaluation = {
                    "train_acc": self._accuracy(self.x_train, self.t_train),
                    "test_acc": self._accuracy(self.x_test, self.t_test),
                    "loss": float(self.losses[i % self.iters_per_epoch]),
                }
        self.iteration += iters_num
        return self.evaluation

    def _accuracy(self, x, t):
        with self.torch.no_grad():
            y = self._predict(x)
            return (y.argmax(dim=1) == t).sum().item() / x.shape[0]

    def synchronize(self):
        if self.torch_device.type == "cuda":
            self.torch.cuda.synchronize(self.torch_device)


class TorchManual(_TorchPeer):
    """The book's forward and backward in torch ops, under torch.no_grad(): no autograd."""

    def __init__(self, data, device="cpu", dtype="float32"):
        super().__init__(data, device, dtype)
        self.name = f"torch eager manual {dtype}"

    def _build(self, init):
        torch = self.torch
        self.params = {
            key: torch.as_tensor(init[key], dtype=self.torch_dtype, device=self.torch_device)
            for key in ("W1", "b1", "W2", "b2")
        }
        self.eye = torch.eye(SIZES[2], dtype=self.torch_dtype, device=self.torch_device)

    def _predict(self, x):
        p = self.params
        return self.torch.addmm(
            p["b2"], self.torch.relu(self.torch.addmm(p["b1"], x, p["W1"])), p["W2"]
        )

    def _sgd_step(self, batch):
        torch, p = self.torch, self.params
        with torch.no_grad():
            x = self.x_train[batch]
            t = self.eye[self.t_train[batch]]  # one-hot, as the book's labels
            a1 = torch.addmm(p["b1"], x, p["W1"])  # Affine1
            h = torch.relu(a1)  # Relu1
            y = torch.addmm(p["b2"], h, p["W2"])  # Affine2
            log_y = torch.log_softmax(y, dim=1)  # SoftmaxWithLoss, from the logits
            loss = -(t * log_y).sum() / self.batch_size
            dy = (torch.exp(log_y) - t) / self.batch_size  # (softmax - t) / N
            grads = {"W2": h.T @ dy, "b2": dy.sum(dim=0)}
            dh = (dy @ p["W2"].T).masked_fill_(a1 <= 0, 0.0)  # Relu backward
            grads["W1"], grads["b1"] = x.T @ dh, dh.sum(dim=0)  # dx of Affine1: not needed
            for key, grad in grads.items():
                p[key].sub_(grad, alpha=LEARNING_RATE)
        return loss


class TorchAutograd(_TorchPeer):
    """nn.Sequential(nn.Linear, nn.ReLU, nn.Linear), F.cross_entropy, loss.backward(),
    torch.optim.SGD (its default implementation for the device)."""

    def __init__(self, data, device="cpu", dtype="float32"):
        super().__init__(data, device, dtype)
        self.name = f"torch eager autograd {dtype}"

    def _build(self, init):
        torch, nn = self.torch, self.torch.nn
        self.model = nn.Sequential(nn.Linear(*SIZES[:2]), nn.ReLU(), nn.Linear(*SIZES[1:]))
        self.model.to(device=self.torch_device, dtype=self.torch_dtype)
        with torch.no_grad():
            for layer, W, b in ((self.model[0], "W1", "b1"), (self.model[2], "W2", "b2")):
                layer.weight.copy_(torch.as_tensor(init[W].T))  # nn.Linear keeps W as (out, in)
                layer.bias.copy_(torch.as_tensor(init[b]))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)

    def _predict(self, x):
        return self.model(x)

    def _sgd_step(self, batch):
        loss = self.torch.nn.functional.cross_entropy(
            self.model(self.x_train[batch]), self.t_train[batch]
        )
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.detach()
