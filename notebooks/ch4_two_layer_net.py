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
# # Chapter 4.5: training the two-layer network
#
# The chapter-4 network (sigmoid) trained by mini-batch SGD on the bundled MNIST sample (5,000
# real digits, no download); `xpnet.load_mnist()` has the full set. `callback=print` prints
# each evaluation as a line, which the saved notebook keeps.

# %%
from IPython.display import Image

import xpnet
from xpnet.plot import plot_accuracy, plot_loss

(x_train, t_train), (x_test, t_test) = xpnet.load_mnist_sample()
net = xpnet.TwoLayerNet(784, 50, 10, activation="sigmoid", seed=0)
net

# %%
history = xpnet.train(
    net,
    (x_train, t_train),
    (x_test, t_test),
    iters_num=2000,
    batch_size=100,
    learning_rate=0.5,
    seed=0,
    callback=print,
)
history

# %% [markdown]
# The loss of every step (Figure 4-11) and the accuracies of every epoch (Figure 4-12):

# %%
title = "TwoLayerNet (sigmoid), sample: lr 0.5, batch size 100, 2000 steps, backprop"
Image(str(plot_loss(history, "loss.png", title=title)))

# %%
Image(str(plot_accuracy(history, "accuracy.png", title=title, iters_per_epoch=40)))
