"""The code students read: the train steps, their helpers, the optax chain,
the pitfalls and the seed's recipe.

The listings show these files as they are, so their lines stay short.
"""
