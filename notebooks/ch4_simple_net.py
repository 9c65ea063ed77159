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
# # Chapter 4.4.2: simpleNet
#
# One 2x3 weight, softmax and cross-entropy; the gradient of the loss with respect to W
# through the numerical gradient, with the book's closure.

# %%
import numpy as np

import xpnet

W = [[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]]
net = xpnet.SimpleNet(W=W)
x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
net, net.predict(x), float(net.loss(x, t))

# %% [markdown]
# `numerical_gradient` perturbs `net.W` in place, so `lambda W: net.loss(x, t)` works as in
# the book (and `net.W` is restored afterwards):

# %%
dW = xpnet.numerical_gradient(lambda W: net.loss(x, t), net.W)
dW
