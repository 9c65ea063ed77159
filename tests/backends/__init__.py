"""Tests of xpnet.backends: the switchboard, devices, and what each array library adds."""
