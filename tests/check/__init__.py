"""Tests of xpnet.check: the gradient check, check_network and its report, a learner's file."""
