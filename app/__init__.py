"""Train Step Lab: one training step, written in Flax Linen and Flax NNX, run live side by side."""
