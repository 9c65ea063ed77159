# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 5: backpropagation
#
# The apple example's multiplication nodes, then the two-layer network of layers (Affine,
# Relu, SoftmaxWithLoss): backprop against the numerical gradient, and training.

# %%
import numpy as np

import xpnet
from xpnet.layers import MulLayer

mul_apple, mul_tax = MulLayer(), MulLayer()
price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
dapple_price, dtax = mul_tax.backward(1)
dapple, dapple_num = mul_apple.backward(dapple_price)
price, dapple, dapple_num, dtax

# %% [markdown]
# The network's layers, in order, and its gradient by backprop:

# %%
(x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
net = xpnet.TwoLayerNet(784, 50, 10, seed=0)
x, t = x_train[:3].astype(np.float64), t_train[:3]
print(list(net.layers), type(net.last_layer).__name__)
{key: grad.shape for key, grad in net.gradient(x, t).items()}

# %% [markdown]
# The gradient check (5.7.3): backprop and the numerical gradient agree to about 1e-10.

# %%
report = xpnet.gradient_check(net, x, t)
report

# %%
report.passed

# %% [markdown]
# Training with backprop is fast: 2,000 steps in a few seconds.

# %%
history = xpnet.train(
    net, (x_train, t_train), (x_test, t_test), iters_num=2000, seed=0, callback=print
)
history
